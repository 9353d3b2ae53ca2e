import Foundation
import JSON

/// One call to the daemon: a method and its params.
struct DaemonRequest: Equatable {
    let method: String
    let params: JSONValue?
}

extension Command {
    /// The call this command makes. Reads the files and standard input the command names.
    /// - Parameter workingDirectory: what relative paths are resolved against.
    /// - Throws: when an input file or standard input cannot be read.
    func request(workingDirectory: String) throws(UsageError) -> DaemonRequest {
        switch self {
        case .status:
            return DaemonRequest(method: "host.status", params: nil)
        case let .install(path, force, sha256, isolation, memoryLimit):
            var params: [String: JSONValue] = ["path": .string(Self.absolute(path, in: workingDirectory))]
            if let isolation { params["isolation"] = .string(isolation) }
            if let memoryLimit { params["memory_limit_bytes"] = memoryLimit.jsonValue }
            if force { params["force"] = true }
            if let sha256 { params["sha256"] = .string(sha256) }
            return DaemonRequest(method: "skills.install", params: .object(params))
        case .list:
            return DaemonRequest(method: "skills.list", params: nil)
        case .show(let name):
            return DaemonRequest(method: "skills.get", params: ["name": .string(name)])
        case let .remove(name, version):
            var params: [String: JSONValue] = ["name": .string(name)]
            if let version { params["version"] = .string(version) }
            return DaemonRequest(method: "skills.remove", params: .object(params))
        case let .run(skill, input, timeout, model, stream):
            var params: [String: JSONValue] = ["skill": .string(skill)]
            if let value = try Self.inputValue(input, workingDirectory: workingDirectory) { params["input"] = value }
            if let timeout { params["timeout_ms"] = .int(timeout) }
            if let model { params["model"] = .string(model) }
            if stream { params["stream"] = true }
            return DaemonRequest(method: "skills.run", params: .object(params))
        case .runs(let filter):
            var params: [String: JSONValue] = [:]
            if let skill = filter.skill { params["skill"] = .string(skill) }
            if let status = filter.status { params["status"] = .string(status) }
            if let limit = filter.limit { params["limit"] = .int(Int64(limit)) }
            if let before = filter.before { params["before"] = .int(before) }
            return DaemonRequest(method: "runs.list", params: .object(params))
        case let .isolation(skill, mode):
            var params = Self.skillParams(skill)
            params["isolation"] = .string(mode)
            return DaemonRequest(method: "skills.set_isolation", params: .object(params))
        case let .memoryLimit(skill, limit):
            var params = Self.skillParams(skill)
            params["memory_limit_bytes"] = limit.jsonValue
            return DaemonRequest(method: "skills.set_limits", params: .object(params))
        case .runsShow(let runID):
            return DaemonRequest(method: "runs.get", params: ["run_id": .int(runID)])
        case .logs(let runID):
            return DaemonRequest(method: "runs.logs", params: ["run_id": .int(runID)])
        }
    }

    /// `{name, version?}` for `NAME` or `NAME@VERSION`.
    private static func skillParams(_ skill: String) -> [String: JSONValue] {
        guard let at = skill.firstIndex(of: "@") else { return ["name": .string(skill)] }
        return ["name": .string(String(skill[..<at])), "version": .string(String(skill[skill.index(after: at)...]))]
    }

    static func absolute(_ path: String, in workingDirectory: String) -> String {
        let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    /// The input as JSON: the text parsed as JSON if it is JSON, else as a JSON string
    /// (text read from a file or standard input loses one trailing newline).
    private static func inputValue(_ input: RunInput, workingDirectory: String) throws(UsageError) -> JSONValue? {
        let text: String
        switch input {
        case .none:
            return nil
        case .argument(let argument):
            return try value(of: argument, source: "INPUT")
        case .standardInput:
            text = try decoded(FileHandle.standardInput.readDataToEndOfFile(), source: "standard input")
        case .file(let path):
            let absolutePath = absolute(path, in: workingDirectory)
            do {
                text = try decoded(Data(contentsOf: URL(fileURLWithPath: absolutePath)), source: absolutePath)
            } catch let error as UsageError {
                throw error
            } catch {
                throw UsageError("cannot read the input file \(absolutePath): \(error.localizedDescription)", command: "run")
            }
        }
        return try value(of: text.hasSuffix("\n") ? String(text.dropLast()) : text,
                         source: input == .standardInput ? "standard input" : "the input file")
    }

    /// `text` as JSON when it is JSON; plain text as a JSON string. Text that starts like a
    /// JSON object or array but does not parse is refused: it is almost surely a typo, and
    /// sending it as a string would hide that.
    private static func value(of text: String, source: String) throws(UsageError) -> JSONValue {
        do {
            return try JSONValue(parsing: text)
        } catch {
            let start = text.first { !$0.isWhitespace }
            guard start != "{", start != "[" else {
                throw UsageError("\(source) looks like JSON but is not valid JSON (\(error)); "
                    + "fix it, or quote plain text as a JSON string", command: "run")
            }
            return .string(text)
        }
    }

    private static func decoded(_ data: Data, source: String) throws(UsageError) -> String {
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsageError("the input from \(source) is not UTF-8 text", command: "run")
        }
        return text
    }
}

extension MemoryLimit {
    /// The value of `memory_limit_bytes`: a number, or null for the daemon's default.
    var jsonValue: JSONValue {
        switch self {
        case let .bytes(bytes): .int(bytes)
        case .daemonDefault: .null
        }
    }
}
