import Foundation
import HTTPServer
import Testing
import TestSupport

/// The server against real clients: curl, and Python's http.client from
/// `Tests/Fixtures/http_client.py`.
@Suite("HTTPServer with real clients")
struct RealClientTests {
    /// The limits of the servers under test: small, so that the tests reach them quickly.
    static let limits = HTTPServerLimits(maximumHeadBytes: 4096, maximumHeaderCount: 20, maximumBodyBytes: 400_000,
                                         idleTimeout: .seconds(10), requestTimeout: .seconds(3), maximumConnections: 3)

    @Test("curl --next reuses the kept-alive connection for its second request")
    func keepAliveWithCurl() async throws {
        try await withServer { url in
            let run = try await ProgramRun.run("curl", ["-sS", "-v", "\(url)/echo?first",
                                                        "--next", "-sS", "-v", "--data-binary", "second body", "\(url)/echo?second"])
            #expect(run.succeeded, "\(run)")
            #expect(run.standardOutput == "second body")
            #expect(run.standardError.contains("Re-using existing connection"), "\(run.standardError)")
            #expect(run.standardError.contains("X-Query: first") && run.standardError.contains("X-Query: second"))
        }
    }

    @Test("curl's chunked upload arrives whole and de-chunked, after a 100 Continue")
    func chunkedUpload() async throws {
        let directory = try TemporaryDirectory(prefix: "http")
        let file = directory.path("upload")
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        try await withServer { url in
            let run = try await ProgramRun.run("curl", ["-sS", "-v", "-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue",
                                                        "--data-binary", "@\(file)", "-o", directory.path("answer"), "\(url)/echo"])
            #expect(run.succeeded, "\(run)")
            #expect(run.standardError.contains("HTTP/1.1 100 Continue"), "\(run.standardError)")
            #expect(run.standardError.contains("X-Transfer-Encoding: chunked"))
            #expect(run.standardError.contains("X-Body-Length: 300000"))
            let answer = try Data(contentsOf: URL(fileURLWithPath: directory.path("answer")))
            #expect(Array(answer) == bytes)
        }
    }

    @Test("curl --http1.0 is answered and the connection closed; with keep-alive asked for, kept")
    func http10() async throws {
        try await withServer { url in
            let closing = try await ProgramRun.run("curl", ["-sS", "--http1.0", "-D", "-", "--data-binary", "ten", "\(url)/echo"])
            #expect(closing.succeeded, "\(closing)")
            #expect(closing.standardOutput.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(closing.standardOutput.contains("Connection: close\r\n"))
            #expect(closing.standardOutput.contains("X-Version: HTTP/1.0\r\n"))
            #expect(closing.standardOutput.hasSuffix("\r\n\r\nten"))
            let kept = try await ProgramRun.run("curl", ["-sS", "-v", "--http1.0", "-H", "Connection: keep-alive", "\(url)/echo",
                                                         "--next", "-sS", "-v", "--http1.0", "-H", "Connection: keep-alive", "\(url)/echo"])
            #expect(kept.succeeded, "\(kept)")
            #expect(kept.standardError.contains("Re-using existing connection"), "\(kept.standardError)")
            let streamed = try await ProgramRun.run("curl", ["-sS", "--http1.0", "-D", "-", "\(url)/stream"])
            #expect(streamed.standardOutput.contains("data: 2\n\n"), "\(streamed)")
            #expect(!streamed.standardOutput.contains("Transfer-Encoding"))
        }
    }

    @Test("a streamed response is chunked, and each event reaches the client as it is written")
    func streaming() async throws {
        try await withServer { url in
            let run = try await ProgramRun.run("curl", ["-sS", "-N", "-D", "-", "\(url)/stream"])
            #expect(run.succeeded, "\(run)")
            #expect(run.standardOutput.contains("Transfer-Encoding: chunked\r\n"))
            #expect(run.standardOutput.contains("Content-Type: text/event-stream\r\n"))
            #expect(run.standardOutput.hasSuffix("event: tick\ndata: 0\n\nevent: tick\ndata: 1\n\nevent: tick\ndata: 2\n\n"))
            let python = try await fixture("stream", url)
            let chunks = try #require(python["chunks"] as? [[String: Any]])
            #expect(chunks.count == 3, "\(python)")
            let times = chunks.compactMap { $0["at"] as? Double }
            // Sent as written, the events arrive as far apart as the handler writes them; held
            // back, they would arrive together.
            #expect(times.count == 3 && zip(times, times.dropFirst()).allSatisfy { $1 - $0 > 0.5 }, "\(times)")
        }
    }

    @Test("a HEAD and a 204 have no body and no Content-Length where none is allowed, and keep the connection")
    func bodilessResponses() async throws {
        try await withServer { url in
            let run = try await ProgramRun.run("curl", ["-sS", "-v", "-D", "-", "-o", "/dev/null", "\(url)/empty",
                                                        "--next", "-sS", "-I", "\(url)/echo", "--next", "-sS", "\(url)/nowhere"])
            #expect(run.succeeded, "\(run)")
            let responses = run.standardOutput.components(separatedBy: "HTTP/1.1 ").dropFirst()
            #expect(responses.map { String($0.prefix(3)) } == ["204", "200"], "\(run)")
            #expect(responses.first.map { !$0.contains("Content-Length") } == true, "\(run)")
            #expect(responses.dropFirst().first?.contains("Content-Length: 0\r\n") == true, "\(run)")
            #expect(run.standardOutput.hasSuffix("no route for /nowhere\n"))
            #expect(run.standardError.components(separatedBy: "Re-using existing connection").count == 3, "\(run.standardError)")
        }
    }

    @Test("a server on [::1] answers curl over IPv6")
    func ipv6() async throws {
        try await withServer(address: HTTPListenAddress(host: "::1", port: 0)) { url in
            #expect(url.hasPrefix("http://[::1]:"))
            let run = try await ProgramRun.run("curl", ["-sS", "-g", "-w", "%{http_code}", "-o", "/dev/null", "\(url)/echo"])
            #expect(run.standardOutput == "200", "\(run)")
        }
    }

    @Test("every bad input gets its status, and the server goes on serving",
          arguments: [
              (#"b"GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + b"a" * 5000 + b"\r\n\r\n""#, 431),
              (#"b"GET / HTTP/1.1\r\nHost: h\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(30)) + b"\r\n""#, 431),
              (#"b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n""#, 400),
              (#"b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n""#, 400),
              (#"eof:b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n""#, 400),
              (#"b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n""#, 408),
              (#"b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 400001\r\n\r\n""#, 413),
              (#"b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + b"FFFF\r\n" + b"x" * 65535 + b"\r\n" * 1 + (b"FFFF\r\n" + b"x" * 65535 + b"\r\n") * 6"#, 413),
              (#"b"GET /a/../echo HTTP/1.1\r\nHost: h\r\n\r\n""#, 400),
              (#"b"GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n""#, 400),
              (#"b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n""#, 501),
              (#"b"GET / HTTP/3.0\r\nHost: h\r\n\r\n""#, 505),
              (#"b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n""#, 400),
          ])
    func badInput(bytes: String, status: Int) async throws {
        try await withServer { url in
            let answer = try await fixture("raw", url, bytes)
            let statusLine = try #require(answer["status_line"] as? String)
            #expect(statusLine.hasPrefix("HTTP/1.1 \(status) "), "\(answer)")
            let after = try await ProgramRun.run("curl", ["-sS", "-w", "%{http_code}", "-o", "/dev/null", "\(url)/echo"])
            #expect(after.standardOutput == "200", "\(after)")
        }
    }

    @Test("curl's paths with .. and %2e%2e, sent as they are, get 400")
    func dotSegmentsWithCurl() async throws {
        try await withServer { url in
            for path in ["/a/../echo", "/%2e%2e/echo", "/echo/%2E"] {
                let run = try await ProgramRun.run("curl", ["-sS", "--path-as-is", "-w", "%{http_code}", "-o", "/dev/null", "\(url)\(path)"])
                #expect(run.standardOutput == "400", "\(path): \(run)")
            }
        }
    }

    @Test("a client sending its head a byte a second gets 408, while others are served meanwhile")
    func slowClient() async throws {
        // 8 s for the slow client's head, so that the three others, on a machine whose cores
        // the rest of the suite keeps busy, have time to be served while it crawls.
        // And room for more connections than the suite's 3: a served client's connection may
        // not be seen closed yet when the next one comes.
        var limits = Self.limits
        limits.requestTimeout = .seconds(8)
        limits.maximumConnections = 10
        try await withServer(limits: limits) { url in
            let outcome = try await fixture("slow", url, timeout: .seconds(90))
            let slow = try #require(outcome["slow"] as? [String: Any], "\(outcome)")
            let others = try #require(outcome["others"] as? [[String: Any]], "\(outcome)")
            #expect(slow["status"] as? Int == 408, "\(outcome)")
            let slowAt = try #require(slow["at"] as? Double)
            #expect(slowAt >= 7.9 && slowAt < 20, "\(outcome)")
            #expect(others.count == 3 && others.allSatisfy { $0["status"] as? Int == 200 }, "\(outcome)")
            // A server the slow client held up would answer no one before its 408. (Beside the
            // whole suite each answer can take seconds, so only the first is held to it.)
            #expect((others.first?["at"] as? Double ?? .infinity) < slowAt, "\(outcome)")
        }
    }

    @Test("pipelined requests on one connection are answered in order")
    func pipelining() async throws {
        try await withServer { url in
            let outcome = try await fixture("pipeline", url)
            let responses = try #require(outcome["responses"] as? [[String: Any]], "\(outcome)")
            #expect(responses.compactMap { $0["status"] as? Int } == [200, 200, 200])
            #expect(responses.compactMap { ($0["headers"] as? [String: String])?["X-Query"] } == ["n=1", "n=2", "n=3"])
            #expect(responses.compactMap { $0["body"] as? String } == ["", "hello", ""])
            #expect((responses.last?["headers"] as? [String: String])?["Connection"] == "close")
        }
    }

    @Test("beyond the connection limit a client gets 503 with Retry-After; once others leave, it is served")
    func connectionLimit() async throws {
        try await withServer { url in
            let outcome = try await fixture("crowd", url, "3")
            #expect((outcome["refused"] as? [String: Any])?["status"] as? Int == 503, "\(outcome)")
            #expect(outcome["retry_after"] as? String == "1", "\(outcome)")
            #expect(outcome["served_after"] as? Int == 200, "\(outcome)")
        }
    }

    @Test("a port already taken is a bind error that says so; port 0 reports the port it got")
    func portTaken() async throws {
        let first = HTTPServer(address: HTTPListenAddress(host: "127.0.0.1", port: 0), handler: ExampleHandler())
        let bound = try first.start()
        #expect(bound.port != 0 && first.boundAddress == bound)
        let second = HTTPServer(address: bound, handler: ExampleHandler())
        #expect {
            try second.start()
        } throws: { error in
            guard case HTTPServerError.systemCall(let failure) = error else { return false }
            return failure.call == "bind" && "\(failure)".contains("EADDRINUSE")
        }
        await first.shutdown(grace: .seconds(1))
    }

    @Test("shutting down closes a kept-alive idle connection at once")
    func shutdownClosesIdle() async throws {
        let server = HTTPServer(address: HTTPListenAddress(host: "127.0.0.1", port: 0), handler: ExampleHandler(), limits: Self.limits)
        let bound = try server.start()
        let client = try ChildProcess("python3", arguments: ["-c", """
            import http.client, sys
            c = http.client.HTTPConnection("127.0.0.1", \(bound.port), timeout=20)
            c.request("GET", "/echo"); c.getresponse().read(); print("served", flush=True)
            sys.stdin.readline()
            try:
                c.sock.settimeout(5); print("closed" if c.sock.recv(1) == b"" else "data", flush=True)
            except Exception as e:
                print(repr(e), flush=True)
            """], standardInput: .pipe, standardOutput: .pipe)
        #expect(try await client.readLine() == "served")
        #expect(server.connectionCount == 1)
        await server.shutdown(grace: .seconds(1))
        try client.write("go\n")
        #expect(try await client.readLine() == "closed")
        _ = try await client.wait()
        #expect(await eventually(within: .seconds(5)) { server.connectionCount == 0 })
    }

    @Test("a connection idle for longer than the idle timeout is closed without an answer")
    func idleTimeout() async throws {
        var limits = Self.limits
        limits.idleTimeout = .seconds(1)
        let server = HTTPServer(address: HTTPListenAddress(host: "127.0.0.1", port: 0), handler: ExampleHandler(), limits: limits)
        let bound = try server.start()
        let run = try await ProgramRun.run("python3", ["-c", """
            import http.client, time
            c = http.client.HTTPConnection("127.0.0.1", \(bound.port), timeout=20)
            c.request("GET", "/echo"); c.getresponse().read()
            started = time.monotonic()
            print(repr(c.sock.recv(1)), round(time.monotonic() - started, 1))
            """])
        await server.shutdown(grace: .seconds(1))
        let words = run.standardOutput.split(separator: " ")
        #expect(words.first == "b''", "\(run)")
        let waited = words.last.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        #expect(waited >= 0.8 && waited < 5, "\(run)")
    }

    // MARK: Helpers

    /// Runs `body` with the base URL of a server of ``ExampleHandler`` on `address`.
    private func withServer(address: HTTPListenAddress = HTTPListenAddress(host: "127.0.0.1", port: 0),
                            limits: HTTPServerLimits = limits, _ body: (String) async throws -> Void) async throws {
        let server = HTTPServer(address: address, handler: ExampleHandler(), limits: limits)
        let bound = try server.start()
        do {
            try await body("http://\(bound)")
        } catch {
            await server.shutdown(grace: .seconds(1))
            throw error
        }
        await server.shutdown(grace: .seconds(1))
    }

    /// Runs `Tests/Fixtures/http_client.py` in `mode` against the server at `url`; its JSON.
    private func fixture(_ mode: String, _ url: String, _ argument: String? = nil,
                         timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let script = BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/http_client.py").path
        let address = try HTTPListenAddress(parsing: String(url.dropFirst("http://".count)))
        let run = try await ProgramRun.run("python3", [script, mode, address.host, "\(address.port)"] + (argument.map { [$0] } ?? []),
                                           timeout: timeout)
        #expect(run.succeeded, "\(run)")
        let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))
        return try #require(object as? [String: Any], "\(run)")
    }
}
