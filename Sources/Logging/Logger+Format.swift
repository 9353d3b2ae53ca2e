import Foundation
import JSON

extension Logger {
    /// How a line is written.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object: `{"ts": ..., "level": ..., "msg": ..., ...fields}`, for programs.
        case json
        /// For people: the time, the level, the message, then `name=value` for each field in
        /// the order of their names; a value that holds a space, a quote or an `=` is written
        /// as a JSON string, as are arrays and objects as JSON. Line breaks in the message
        /// are written `\n`, so one call is one line.
        case text

        /// The line, its newline included, of a message at `time` and `level` with `fields`.
        /// A field named `ts`, `level` or `msg` gives way to the line's own.
        func line(time: String, level: Level, message: String, fields: [String: JSONValue]) -> [UInt8] {
            switch self {
            case .json:
                var object = fields
                object["ts"] = .string(time)
                object["level"] = .string(level.rawValue)
                object["msg"] = .string(message)
                return JSONValue.object(object).serializedLine()
            case .text:
                let own: Set = ["ts", "level", "msg"]
                let pairs = fields.filter { !own.contains($0.key) }.sorted { $0.key < $1.key }.map { name, value in
                    " " + name + "=" + Self.text(of: value)
                }
                return Array((time + " " + level.rawValue + " " + Self.oneLine(message) + pairs.joined() + "\n").utf8)
            }
        }

        /// `value` as the text format shows it.
        private static func text(of value: JSONValue) -> String {
            guard case let .string(string) = value else { return value.serialized() }
            let plain = !string.isEmpty && !string.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
            return plain ? string : value.serialized()
        }

        /// `message` with its line breaks written `\n` and `\r`.
        private static func oneLine(_ message: String) -> String {
            message.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
        }
    }
}
