import Foundation
import Glibc
import JSON

/// The daemon's log: one JSON object per line on standard error (journald keeps them).
/// Never give it secrets: fields are written as they are.
public struct Logger: Sendable {
    /// How much a line matters; lines below the logger's level are not written.
    public enum Level: String, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The lowest level written.
    public var level: Level

    /// Creates a logger that writes lines at `level` and above.
    public init(level: Level = .info) {
        self.level = level
    }

    /// Writes one line with `message` and `fields`, if `severity` reaches the logger's level.
    public func log(_ severity: Level, _ message: String, _ fields: [String: JSONValue] = [:]) {
        guard severity >= level else { return }
        var line = fields
        line["ts"] = .string(Date().iso8601)
        line["level"] = .string(severity.rawValue)
        line["msg"] = .string(message)
        var bytes = Array(JSONValue.object(line).serialized().utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// Writes an info line.
    public func info(_ message: String, _ fields: [String: JSONValue] = [:]) { log(.info, message, fields) }
    /// Writes a warning line.
    public func warning(_ message: String, _ fields: [String: JSONValue] = [:]) { log(.warning, message, fields) }
    /// Writes an error line.
    public func error(_ message: String, _ fields: [String: JSONValue] = [:]) { log(.error, message, fields) }
    /// Writes a debug line.
    public func debug(_ message: String, _ fields: [String: JSONValue] = [:]) { log(.debug, message, fields) }
}
