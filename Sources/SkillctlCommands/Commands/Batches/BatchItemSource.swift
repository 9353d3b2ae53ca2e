/// Where `batch start` takes the batch's items from.
enum BatchItemSource: Equatable, Sendable {
    /// A JSONL file the daemon reads (`@FILE.jsonl`).
    case file(String)
    /// Standard input, read by skillctl (`-`).
    case standardInput
}

extension ValueKind<BatchItemSource> {
    /// `@FILE.jsonl` or `-`.
    static let batchItems = ValueKind(valueName: "@FILE.jsonl|-", expectation: "@FILE.jsonl or -",
                                      completion: .input(fileExtensions: ["jsonl"])) { text throws(ValueRefusal) in
        if text == "-" { return .standardInput }
        guard text.hasPrefix("@"), text.count > 1 else {
            throw .explained("the items come from @FILE.jsonl (one JSON value a line) or - (standard input), not \"\(text)\"")
        }
        return .file(String(text.dropFirst()))
    }
}
