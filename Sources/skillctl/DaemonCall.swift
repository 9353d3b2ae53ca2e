import Foundation
import JSON
import JSONRPC
import SkillhostProtocol

/// One call to the daemon, built from its method's declaration, and how skillctl prints
/// the answer.
struct DaemonCall: Sendable {
    /// The method called.
    let method: String
    private let exchange: @Sendable (JSONRPCClient, _ json: Bool) async throws(JSONRPCClientError) -> String

    /// A call of `request`, whose result `render` shows to people.
    init<Request: SkillhostRequest>(_ request: Request, render: @escaping @Sendable (Request.Result) -> String) {
        method = Request.method
        exchange = { client, json throws(JSONRPCClientError) in
            let answer = try await client.send(request)
            return json ? answer.json.serialized() : render(answer.result)
        }
    }

    /// Makes the call on `client`; returns what to print: the daemon's JSON as it came
    /// with `json`, else the result rendered for people.
    func perform(on client: JSONRPCClient, json: Bool) async throws(JSONRPCClientError) -> String {
        try await exchange(client, json)
    }
}

extension Command {
    /// The call this command makes. Reads the files and standard input the command names.
    /// - Parameter workingDirectory: what relative paths are resolved against.
    /// - Throws: when an input file or standard input cannot be read.
    func call(workingDirectory: String) throws(UsageError) -> DaemonCall {
        switch self {
        case .status:
            return DaemonCall(HostStatusRequest(), render: StatusOutput.render)
        case let .install(path, force, sha256, isolation, memoryLimit):
            return DaemonCall(InstallSkillRequest(
                path: Self.absolute(path, in: workingDirectory), sha256: sha256, force: force ? true : nil,
                isolation: isolation, memoryLimitBytes: memoryLimit), render: SkillOutput.renderInstall)
        case .list:
            return DaemonCall(ListSkillsRequest(), render: SkillOutput.renderList)
        case .show(let name):
            return DaemonCall(GetSkillRequest(name: name), render: SkillOutput.renderShow)
        case let .remove(name, version):
            return DaemonCall(RemoveSkillRequest(name: name, version: version), render: SkillOutput.renderRemove)
        case .run:
            return DaemonCall(try runRequest(workingDirectory: workingDirectory), render: RunOutput.renderRunResult)
        case .runs(let filter):
            return DaemonCall(ListRunsRequest(
                skill: filter.skill, status: filter.status, limit: filter.limit.map(Int64.init), before: filter.before),
                render: RunOutput.renderList)
        case let .isolation(skill, mode):
            let (name, version) = Self.nameAndVersion(skill)
            return DaemonCall(SetIsolationRequest(name: name, version: version, isolation: mode),
                              render: SkillOutput.renderIsolation)
        case let .memoryLimit(skill, limit):
            let (name, version) = Self.nameAndVersion(skill)
            return DaemonCall(SetLimitsRequest(name: name, version: version, memoryLimitBytes: limit),
                              render: SkillOutput.renderMemoryLimit)
        case .runsShow(let runID):
            return DaemonCall(GetRunRequest(runID: runID), render: RunOutput.renderShow)
        case .logs(let runID):
            return DaemonCall(RunLogsRequest(runID: runID), render: RunOutput.renderLogs)
        }
    }

    /// The `skills.run` request of a `run` command.
    /// - Precondition: this is a `run` command.
    func runRequest(workingDirectory: String) throws(UsageError) -> RunSkillRequest {
        guard case let .run(skill, input, timeout, model, stream) = self else {
            preconditionFailure("runRequest(workingDirectory:) of \(self)")
        }
        return RunSkillRequest(
            skill: skill, input: try Self.inputValue(input, workingDirectory: workingDirectory), model: model,
            timeoutMilliseconds: timeout, stream: stream ? true : nil)
    }

    /// The name and version of `NAME` or `NAME@VERSION`.
    private static func nameAndVersion(_ skill: String) -> (name: String, version: String?) {
        guard let at = skill.firstIndex(of: "@") else { return (skill, nil) }
        return (String(skill[..<at]), String(skill[skill.index(after: at)...]))
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
