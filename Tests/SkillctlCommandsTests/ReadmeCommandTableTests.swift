import Foundation
@testable import SkillctlCommands
import Testing

/// README.md's table of skillctl commands against the command list.
@Suite("README.md's command table matches the command list")
struct ReadmeCommandTableTests {
    private static let begin = "<!-- skillctl commands: begin -->"
    private static let end = "<!-- skillctl commands: end -->"

    @Test("the table between the markers is the one the command list makes")
    func table() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: Self.begin), let stop = lines.firstIndex(of: Self.end), start < stop else {
            Issue.record("README.md lacks the lines \(Self.begin) and, after it, \(Self.end) around the command table")
            return
        }
        let documented = Array(lines[(start + 1)..<stop])
        let expected = CommandTable.markdown(of: SkillctlCommandList.parser.leaves).split(separator: "\n").map(String.init)

        let missing = expected.filter { !documented.contains($0) }
        let extra = documented.filter { !expected.contains($0) }
        #expect(missing.isEmpty && extra.isEmpty, """
            README.md's command table differs from the command list.
            Rows the README lacks:
            \(missing.joined(separator: "\n"))
            Rows the README has that the list does not make:
            \(extra.joined(separator: "\n"))
            The whole table, to put between the markers:
            \(expected.joined(separator: "\n"))
            """)
        if missing.isEmpty && extra.isEmpty {
            #expect(documented == expected, "README.md's rows are in another order than the command list's")
        }
    }

    @Test("the exit-status table between its markers is the one ExitCode makes")
    func exitStatuses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = "<!-- skillctl exit statuses: begin -->", end = "<!-- skillctl exit statuses: end -->"
        guard let start = readme.range(of: begin + "\n"), let stop = readme.range(of: end, range: start.upperBound..<readme.endIndex) else {
            Issue.record("README.md lacks the lines \(begin) and, after it, \(end) around the exit-status table")
            return
        }
        let expected = (["| Status | Meaning |", "| --- | --- |"]
            + ExitCode.allCases.map { "| \($0.rawValue) | \($0.meaning) |" }).joined(separator: "\n") + "\n"
        #expect(String(readme[start.upperBound..<stop.lowerBound]) == expected,
                "README.md's exit statuses differ from ExitCode; the table to put between the markers:\n\(expected)")
    }
}
