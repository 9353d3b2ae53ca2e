/// A kind of value on the command line: how its text is read, what help and errors call
/// it, and what a shell may complete it with. Arguments and options are declared with
/// one, so that the parser, the help and later completions all read the same thing.
struct ValueKind<Value: Sendable>: Sendable {
    /// The value's name in usage lines when its declaration gives none: `N`, `SIZE`.
    let valueName: String
    /// What a valid value is, as an error says it after "expects": `a whole number from 1 to 64`.
    let expectation: String
    /// What the value names, for completions and man pages.
    let completion: ValueCompletion
    /// Reads the text the user typed.
    let read: @Sendable (String) throws(ValueRefusal) -> Value

    init(valueName: String, expectation: String, completion: ValueCompletion = .text,
         read: @escaping @Sendable (String) throws(ValueRefusal) -> Value) {
        self.valueName = valueName
        self.expectation = expectation
        self.completion = completion
        self.read = read
    }
}

extension ValueKind<String> {
    /// Any text, taken as it is.
    static func text(_ valueName: String, completion: ValueCompletion = .text) -> Self {
        ValueKind(valueName: valueName, expectation: "text", completion: completion) { text throws(ValueRefusal) in text }
    }

    /// A skill, `NAME` or `NAME@VERSION`; the daemon says whether it is installed.
    static let skill = text("SKILL", completion: .skill)

    /// A model the daemon routes inference to.
    static let model = text("NAME", completion: .model)

    /// One of the daemon's inference endpoints, by name.
    static let endpoint = text("NAME", completion: .endpoint)

    /// An IANA time zone name, such as `Europe/Berlin`; whoever uses it says whether it exists.
    static let timeZone = text("ZONE", completion: .timeZone)

    /// A path to a file, as typed: commands make it absolute against the working directory.
    static func file(_ valueName: String = "PATH", extensions: [String] = []) -> Self {
        text(valueName, completion: .file(extensions: extensions))
    }

    /// Exactly one of `choices`.
    static func choice(_ choices: [String]) -> Self {
        let expectation = choices.count == 2 ? "\(choices[0]) or \(choices[1])" : "one of \(choices.joined(separator: ", "))"
        return ValueKind(valueName: choices.joined(separator: "|"), expectation: expectation, completion: .choices(choices)) {
            text throws(ValueRefusal) in
            guard choices.contains(text) else { throw .unexpected }
            return text
        }
    }

    /// A SHA-256 hash in hexadecimal, read in lower case.
    static let sha256 = ValueKind(valueName: "HEX", expectation: "64 hexadecimal digits") { text throws(ValueRefusal) in
        let lowered = text.lowercased()
        guard lowered.count == 64, lowered.allSatisfy(\.isHexDigit) else { throw .unexpected }
        return lowered
    }

    /// The base URL of an HTTP server.
    static let url = ValueKind(valueName: "URL", expectation: "an http:// or https:// URL") { text throws(ValueRefusal) in
        guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
            throw .explained("URL must start with http:// or https://, got \"\(text)\"")
        }
        return text
    }
}

extension ValueKind<Int> {
    /// A whole number in `range`; `expectation` when the range's ends say too little
    /// (an upper end no one would type).
    static func wholeNumber(in range: ClosedRange<Int>, expectation: String? = nil) -> Self {
        ValueKind(valueName: "N",
                  expectation: expectation ?? "a whole number from \(range.lowerBound) to \(range.upperBound)") {
            text throws(ValueRefusal) in
            guard let value = Int(text), range.contains(value) else { throw .unexpected }
            return value
        }
    }
}

extension ValueKind<Int64> {
    /// The id of a record the daemon keeps (`run`, `batch`, `schedule`): a positive whole number.
    static func identifier(of record: String, completion: ValueCompletion) -> Self {
        ValueKind(valueName: "ID", expectation: "a \(record) id (a positive whole number)", completion: completion) {
            text throws(ValueRefusal) in
            guard let id = Int64(text), id > 0 else { throw .unexpected }
            return id
        }
    }

    /// A run's id.
    static let runID = identifier(of: "run", completion: .runID)
    /// A batch's id.
    static let batchID = identifier(of: "batch", completion: .batchID)
    /// A schedule's id.
    static let scheduleID = identifier(of: "schedule", completion: .scheduleID)

    /// A positive number of seconds, such as `30` or `0.5`, read as whole milliseconds (at least 1).
    static let seconds = ValueKind(valueName: "SECONDS", expectation: "a positive number of seconds, e.g. 30 or 0.5") {
        text throws(ValueRefusal) in
        guard let value = Double(text), value.isFinite, value > 0, value * 1000 < Double(Int64.max) else {
            throw .unexpected
        }
        return max(1, Int64((value * 1000).rounded()))
    }

    /// A positive whole number of milliseconds.
    static let milliseconds = ValueKind(valueName: "MS", expectation: "a positive whole number of milliseconds") {
        text throws(ValueRefusal) in
        guard let value = Int64(text), value > 0 else { throw .unexpected }
        return value
    }
}
