import Foundation
@testable import SkillctlCommands
import Testing
import TestSupport

/// skillctl(1) as groff reads it: without a warning, and with every command, option and
/// exit status of the command list.
@Suite("skillctl's manual page")
struct ManualPageTests {
    @Test("groff reads skillctl.1 without a warning, and the page has every command, option and exit status")
    func page() async throws {
        let directory = try TemporaryDirectory(prefix: "man")
        let file = directory.path("skillctl.1")
        try SkillctlManualPage.roff.write(toFile: file, atomically: true, encoding: .utf8)

        let lint = try await ProgramRun.run("groff", ["-man", "-ww", "-z", "-Tutf8", file])
        #expect(lint.succeeded && lint.standardError.isEmpty, "\(lint)")

        // Lines long enough that no usage line or option is broken or hyphenated.
        let rendered = try await ProgramRun.run("groff", ["-man", "-Tutf8", "-P-cbou", "-rLL=1000n", file])
        #expect(rendered.succeeded, "\(rendered)")
        let lines = rendered.lines.map { $0.trimmingCharacters(in: .whitespaces) }
        // A list entry's tag is on a line of its own, or before its text when it is short.
        func hasEntry(_ tag: String) -> Bool {
            lines.contains { $0 == tag || $0.hasPrefix(tag + " ") }
        }
        #expect(lines.contains("skillctl - \(HelpText.toolSummary)"), "the NAME line")
        for leaf in SkillctlCommandList.parser.leaves {
            #expect(lines.contains(HelpText.usageLine(of: leaf)), "the usage line of \(leaf.path)")
            for option in leaf.declaration.options {
                #expect(hasEntry(option.synopsis), "\(leaf.path)'s \(option.synopsis)")
            }
        }
        for option in GlobalOptions.all {
            #expect(hasEntry(GlobalOptions.helpSpelling(option)), "the global option \(option.synopsis)")
        }
        for code in ExitCode.allCases {
            let meaning = String(code.meaning.replacing("`", with: "").prefix(24))
            #expect(lines.contains { $0.hasPrefix("\(code.rawValue) ") && $0.contains(meaning) },
                    "exit status \(code.rawValue), \(meaning)...")
        }
    }
}
