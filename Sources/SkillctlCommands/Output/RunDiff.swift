import JSON

/// The outputs of two runs compared, line by line: what `skillctl runs diff` shows.
///
/// Two JSON outputs are compared as values (members in any order, `1.0` and `1` alike when
/// the parser reads them alike), and their lines are those of their pretty, key-sorted
/// form, so a difference shows as the members that differ; any other output is compared as
/// text. A run that did not succeed is compared by its status and error kind.
struct RunDiff {
    /// One line of the listing.
    struct Line: Equatable {
        /// In both, only in the first run, only in the second.
        enum Side: String {
            case both = " "
            case first = "-"
            case second = "+"
        }

        var side: Side
        var text: String
    }

    /// Whether the two runs ended alike: the same status, error kind and output.
    let equal: Bool
    /// Every line of the two outputs, in order: common ones once, the others marked.
    let lines: [Line]

    /// Compares the run records `first` and `second`.
    init(_ first: JSONValue, _ second: JSONValue) {
        let firstText = Self.comparable(first)
        let secondText = Self.comparable(second)
        equal = Self.outcome(first) == Self.outcome(second) && Self.outputsEqual(first, second)
        lines = Self.lines(from: firstText, to: secondText)
    }

    /// The listing, with a header naming the runs.
    func rendered(first: JSONValue, second: JSONValue) -> String {
        let header = ["--- run \(Self.describe(first))", "+++ run \(Self.describe(second))"]
        let body = lines.map { "\($0.side.rawValue) \($0.text)" }
        let verdict = equal ? "the outputs are the same" : "the outputs differ"
        return (header + body + [verdict]).joined(separator: "\n")
    }

    /// The listing as JSON: `{equal, first, second, lines: [{side, text}]}`.
    func json(first: JSONValue, second: JSONValue) -> JSONValue {
        .object([
            "equal": .bool(equal),
            "first": first["run_id"] ?? .null,
            "second": second["run_id"] ?? .null,
            "lines": .array(lines.map { .object(["side": .string($0.side.rawValue), "text": .string($0.text)]) }),
        ])
    }

    /// "12 (hello@1.0.0, succeeded)".
    private static func describe(_ run: JSONValue) -> String {
        "\(Formatting.plain(run["run_id"])) (\(Formatting.plain(run["skill"]))@\(Formatting.plain(run["version"])), "
            + "\(Formatting.plain(run["status"])))"
    }

    /// The status and error kind of a run.
    private static func outcome(_ run: JSONValue) -> [String?] {
        [run["status"]?.stringValue, run["error"]?["kind"]?.stringValue]
    }

    private static func outputsEqual(_ first: JSONValue, _ second: JSONValue) -> Bool {
        first["output_kind"] == second["output_kind"] && (first["output"] ?? .null) == (second["output"] ?? .null)
    }

    /// The lines a run's output is compared by: a JSON output pretty and key-sorted, a text
    /// one as it is; a run without output by its error.
    private static func comparable(_ run: JSONValue) -> [String] {
        let text: String
        switch (run["output_kind"]?.stringValue, run["output"]) {
        case ("json", let value?): text = value.serialized(.pretty)
        case (_, .string(let value)?): text = value
        default:
            let error = run["error"]
            text = "(no output: \(Formatting.plain(run["status"]))"
                + (error.flatMap { $0["kind"]?.stringValue }.map { ", \($0): \(Formatting.plain(error?["message"]))" } ?? "") + ")"
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// A line listing of `first` turned into `second`, from the standard library's diff.
    private static func lines(from first: [String], to second: [String]) -> [Line] {
        let difference = second.difference(from: first)
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference {
            switch change {
            case let .remove(offset, _, _): removed.insert(offset)
            case let .insert(offset, _, _): inserted.insert(offset)
            }
        }
        var lines: [Line] = []
        var (i, j) = (0, 0)
        while i < first.count || j < second.count {
            if i < first.count, removed.contains(i) {
                lines.append(Line(side: .first, text: first[i]))
                i += 1
            } else if j < second.count, inserted.contains(j) {
                lines.append(Line(side: .second, text: second[j]))
                j += 1
            } else {
                lines.append(Line(side: .both, text: first[i]))
                i += 1
                j += 1
            }
        }
        return lines
    }
}
