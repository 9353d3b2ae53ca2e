/// Rows printed as columns aligned by the widest cell, under a header.
struct TextTable {
    /// The column titles.
    let header: [String]
    /// The rows; each has one cell per column.
    private(set) var rows: [[String]] = []

    init(header: [String]) {
        self.header = header
    }

    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table as lines, columns separated by two spaces, the last column not padded.
    var rendered: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            let line = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }.joined(separator: "\n")
    }
}

extension TextTable {
    /// Pairs printed as "key  value" lines, values aligned (the lines of a multi-line value
    /// too); pairs whose value is `nil` are left out.
    static func keyValues(_ pairs: [(String, String?)]) -> String {
        let present = pairs.compactMap { key, value in value.map { (key, $0) } }
        let width = present.map(\.0.count).max() ?? 0
        let continuation = "\n" + String(repeating: " ", count: width + 2)
        return present.map { key, value in
            key.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + value.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: continuation)
        }.joined(separator: "\n")
    }
}
