import Foundation
import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol

/// Where skillctl writes: results to standard output, errors to standard error.
enum Console {
    /// Writes `text` and a newline to standard output.
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Reports a failed call to the daemon and returns the exit status it calls for: a
    /// daemon error as `error: <message>` (with the run it concerns) or, with `json`, as one
    /// line of JSON, its status picked by its kind; a connection problem as unreachable.
    /// `explaining` may say a daemon error in the command's own terms (the option typed,
    /// not the param sent); its `nil` keeps the daemon's message.
    static func report(_ error: JSONRPCClientError, json: Bool,
                       explaining: (JSONRPCError) -> String? = { _ in nil }) -> ExitCode {
        switch error {
        case .server(let serverError):
            if json {
                errorJSON(serverError.jsonValue)
            } else {
                let runID = serverError.data?["run_id"].map { ["run: \(Formatting.plain($0))"] } ?? []
                self.error(explaining(serverError) ?? serverError.message, details: runID)
            }
            return ExitCode(errorKind: serverError.errorKind)
        case .notRunning, .permissionDenied, .connectionFailed, .connectionLost:
            self.error(message(for: error))
            return .unreachable
        case .closed, .cancelled, .unreadableResult:
            self.error(message(for: error))
            return .failed
        }
    }

    /// A client error in skillctl's terms: the daemon by name, and what to do (start it,
    /// `--socket`, `SKILLHOST_SOCKET`).
    static func message(for error: JSONRPCClientError) -> String {
        let otherSocket = "pass --socket / set \(SkillhostSocketPath.environmentVariable)"
        switch error {
        case .notRunning(let path):
            return "skillhostd is not running at \(path): start it with `skillhostd` (or \(otherSocket))"
        case .permissionDenied:
            return "\(error.description); run as that user, or \(otherSocket)"
        case let .connectionFailed(path, reason):
            return "cannot connect to skillhostd at \(path): \(reason)"
        case let .connectionLost(path, reason):
            return "the connection to skillhostd at \(path) was lost before it answered"
                + (reason.map { ": \($0)" } ?? " (did it stop or restart?)")
        case .unreadableResult:
            return "\(error.description): is skillctl as new as the daemon?"
        case .server, .closed, .cancelled:
            return error.description
        }
    }

    /// Writes a daemon's error as one line of JSON (`{"code", "message", "data"}`) to
    /// standard error, for `--json`.
    static func errorJSON(_ error: JSONValue) {
        FileHandle.standardError.write(Data((error.serialized() + "\n").utf8))
    }

    /// Writes an informational line to standard error, where it stays out of the results
    /// a program reads: `batch 3 started with 20 items`.
    static func info(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Writes `warning: <message>` to standard error: the command did what it was asked,
    /// with a consequence to know.
    static func warning(_ message: String) {
        FileHandle.standardError.write(Data(("warning: \(message)\n").utf8))
    }

    /// Writes `error: <message>` (and any further lines) to standard error.
    static func error(_ message: String, details: [String] = []) {
        let lines = ["error: \(message)"] + details
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
