import Foundation
import JSON
import TestSupport

/// curl, asking a daemon's HTTP API: what the tests of it see is what a real client sees.
struct CurlClient {
    /// One answer: its status, its header fields (names lowercased) and its body.
    struct Answer: CustomStringConvertible {
        let status: Int
        let headers: [String: String]
        let body: String
        let run: ProgramRun

        /// The body as JSON.
        func json() throws -> JSONValue { try JSONValue(parsing: body) }

        var description: String { "HTTP \(status) \(headers) \(body.prefix(600)) (\(run.standardError))" }
    }

    /// `http://HOST:PORT`.
    let base: String
    /// A bearer token sent with every request, if any.
    var token: String?

    /// The client of the API `daemon` serves, as the address its log says it bound.
    init(daemon: DaemonHarness, token: String? = nil) throws {
        let listening = daemon.log().split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
            .first { $0["msg"] == "the HTTP API listens" }
        guard let address = listening?["address"]?.stringValue else {
            throw HarnessError("the daemon logged no HTTP address: \(daemon.log())")
        }
        base = "http://\(address)"
        self.token = token
    }

    /// The same client with `token`.
    func with(token: String?) -> CurlClient {
        var client = self
        client.token = token
        return client
    }

    /// The answer to `method path` with `headers` and `body`; `extra` are more of curl's
    /// arguments (such as `--max-time`).
    func request(_ method: String, _ path: String, headers: [String] = [], body: String? = nil,
                 extra: [String] = []) async throws -> Answer {
        // curl's -I asks with HEAD and prints the head alone; -D - prints any other head.
        var arguments = ["-sS", "--path-as-is", "-w", "\n%{http_code}"] + (method == "HEAD" ? ["-I"] : ["-X", method, "-D", "-"]) + extra
        for header in headers + (token.map { ["Authorization: Bearer \($0)"] } ?? []) {
            arguments += ["-H", header]
        }
        if let body { arguments += ["--data-binary", body] }
        let run = try await ProgramRun.run("curl", arguments + ["\(base)\(path)"])
        var text = run.standardOutput
        let status = text.split(separator: "\n").last.flatMap { Int($0) } ?? -1
        if let newline = text.lastIndex(of: "\n") { text = String(text[..<newline]) }
        var headers: [String: String] = [:]
        var body = text
        if let end = text.range(of: "\r\n\r\n") {
            for line in text[..<end.lowerBound].split(separator: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            body = String(text[end.upperBound...])
        }
        return Answer(status: status, headers: headers, body: body, run: run)
    }

    /// `GET path`.
    func get(_ path: String, headers: [String] = []) async throws -> Answer {
        try await request("GET", path, headers: headers)
    }

    /// `POST path` with a JSON body.
    func post(_ path: String, json body: String, headers: [String] = [], extra: [String] = []) async throws -> Answer {
        try await request("POST", path, headers: ["Content-Type: application/json"] + headers, body: body, extra: extra)
    }
}

extension CurlClient.Answer {
    /// The events of a `text/event-stream` body: each one's name and data, in order.
    var events: [(name: String, data: String)] {
        body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").compactMap { block in
            var name = "message"
            var data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : (name, data.joined(separator: "\n"))
        }
    }
}
