import Foundation
import JSON
import JSONRPC

/// Where `skillctl run` takes the skill's input from.
enum RunInput: Equatable, Sendable {
    /// The argument itself.
    case argument(String)
    /// Standard input (`-`).
    case standardInput
    /// A file (`@PATH`).
    case file(String)

    /// The input as JSON: the text parsed as JSON if it is JSON, else as a JSON string
    /// (text read from a file or standard input loses one trailing newline).
    /// - Throws: when the file or standard input cannot be read, or the text looks like
    ///   JSON but is not.
    func value(in context: CommandContext) throws(UsageError) -> JSONValue {
        let text: String
        switch self {
        case .argument(let argument):
            return try Self.value(of: argument, source: "INPUT")
        case .standardInput:
            text = try Self.decoded(FileHandle.standardInput.readDataToEndOfFile(), source: "standard input")
        case .file(let path):
            let absolutePath = context.absolute(path)
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: absolutePath))
            } catch {
                throw UsageError("cannot read the input file \(absolutePath): \(error.localizedDescription)", command: "run")
            }
            text = try Self.decoded(data, source: absolutePath)
        }
        return try Self.value(of: text.hasSuffix("\n") ? String(text.dropLast()) : text,
                              source: self == .standardInput ? "standard input" : "the input file")
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

extension ValueKind<RunInput> {
    /// A run's input: JSON or text, `-` for standard input, `@FILE` for a file's.
    static let runInput = ValueKind(valueName: "INPUT|-|@FILE", expectation: "JSON or text, - or @FILE",
                                    completion: .input(fileExtensions: [])) { text throws(ValueRefusal) in
        switch text {
        case "-": .standardInput
        case _ where text.hasPrefix("@") && text.count > 1: .file(String(text.dropFirst()))
        default: .argument(text)
        }
    }
}
