import Foundation
import SkillhostModel
import SkillhostProtocol
import Testing

/// docs/PROTOCOL.md against the declarations: what the daemon serves is what is documented.
@Suite("docs/PROTOCOL.md matches the declared protocol")
struct ProtocolDocumentTests {
    /// docs/PROTOCOL.md, read from this checkout.
    private static func document() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
    }

    /// The lines of `section` (`## Methods`), up to the next `## ` heading.
    private static func lines(of section: String, in document: String) -> [Substring] {
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0 == section }) else { return [] }
        let rest = lines[(start + 1)...]
        return Array(rest.prefix { !$0.hasPrefix("## ") })
    }

    @Test("every method is documented, as a `- `method` ...` item of the Methods section, and nothing else is")
    func methods() throws {
        let section = Self.lines(of: "## Methods", in: try Self.document())
        let documented = Set(section.compactMap { line -> String? in
            guard line.hasPrefix("- `") else { return nil }
            return String(line.dropFirst(3).prefix { $0 != " " && $0 != "`" })
        })
        let declared = Set(SkillhostMessages.requests.map { $0.method })
        let undocumented = declared.subtracting(documented).sorted()
        let undeclared = documented.subtracting(declared).sorted()
        #expect(undocumented.isEmpty, "docs/PROTOCOL.md's Methods section lacks \(undocumented.joined(separator: ", "))")
        #expect(undeclared.isEmpty,
                "docs/PROTOCOL.md documents methods SkillhostMessages does not declare: \(undeclared.joined(separator: ", "))")
    }

    @Test("every notification is documented by name, with its params")
    func notifications() throws {
        let document = try Self.document()
        for notification in SkillhostMessages.notifications {
            #expect(document.contains("`\(notification.method) {"),
                    "docs/PROTOCOL.md does not document the notification \(notification.method) as `\(notification.method) {...}`")
        }
    }

    @Test("the Errors table lists exactly the error kinds, each with its code")
    func errorTable() throws {
        let rows = Self.lines(of: "## Errors", in: try Self.document()).compactMap { line -> (code: Int, kind: String)? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let code = Int(cells[0]), cells[1].hasPrefix("`"), cells[1].hasSuffix("`") else { return nil }
            return (code, String(cells[1].dropFirst().dropLast()))
        }
        let documented = Dictionary(rows.map { ($0.kind, $0.code) }, uniquingKeysWith: { first, _ in first })
        #expect(rows.count == documented.count, "the Errors table lists a kind twice")
        for kind in ErrorKind.allCases {
            guard let code = documented[kind.rawValue] else {
                Issue.record("the Errors table of docs/PROTOCOL.md lacks `\(kind.rawValue)` (code \(kind.code))")
                continue
            }
            #expect(code == kind.code, "the Errors table gives `\(kind.rawValue)` the code \(code); ErrorKind says \(kind.code)")
        }
        let unknown = documented.keys.filter { ErrorKind(rawValue: $0) == nil }.sorted()
        #expect(unknown.isEmpty, "the Errors table lists kinds ErrorKind does not have: \(unknown.joined(separator: ", "))")
    }
}
