import Foundation
import JSONRPC

/// Where skillctl writes: results to standard output, errors to standard error.
enum Console {
    /// Writes `text` and a newline to standard output.
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Writes a daemon's error as one line of JSON (`{"code", "message", "data"}`) to
    /// standard error, for `--json`.
    static func errorJSON(_ error: JSONValue) {
        FileHandle.standardError.write(Data((error.serialized() + "\n").utf8))
    }

    /// Writes `error: <message>` (and any further lines) to standard error.
    static func error(_ message: String, details: [String] = []) {
        let lines = ["error: \(message)"] + details
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
