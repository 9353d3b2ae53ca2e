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
}
