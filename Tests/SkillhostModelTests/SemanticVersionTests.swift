import Testing
@testable import SkillhostModel

@Suite("SemanticVersion")
struct SemanticVersionTests {
    @Test("precedence follows semver.org §11, in order")
    func precedenceTable() throws {
        let ordered = [
            "0.0.1", "0.1.0", "0.9.9", "0.10.0", "1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10",
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
            "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0-rc.1", "2.0.0",
            "10.0.0", "18446744073709551.0.0",
        ]
        let versions = try ordered.map { try #require(SemanticVersion($0), "\($0) should parse") }
        for (index, version) in versions.enumerated() {
            for (otherIndex, other) in versions.enumerated() {
                #expect((version < other) == (index < otherIndex), "\(version) vs \(other)")
                #expect((version == other) == (index == otherIndex), "\(version) vs \(other)")
            }
        }
        #expect(versions.shuffled().sorted() == versions)
    }

    @Test("build metadata is kept in the text but ignored in comparisons")
    func buildMetadata() throws {
        let a = try #require(SemanticVersion("1.0.0-rc.1+build.1"))
        let b = try #require(SemanticVersion("1.0.0-rc.1+exp.sha.5114f85"))
        #expect(a == b)
        #expect(!(a < b) && !(b < a))
        #expect(a.description == "1.0.0-rc.1+build.1")
        #expect(a.buildMetadata == ["build", "1"])
        #expect(a.prerelease == [.alphanumeric("rc"), .numeric("1")])
    }

    @Test("text round-trips", arguments: ["0.0.0", "1.2.3", "1.2.3-alpha.0.x-y", "1.0.0+001", "1.0.0-0A.is.legal"])
    func roundTrip(text: String) {
        #expect(SemanticVersion(text)?.description == text)
    }

    @Test("invalid versions are refused", arguments: [
        "", "1", "1.2", "1.2.3.4", "v1.2.3", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3-01",
        "1.2.3-alpha..1", "1.2.3+", "1.2.3+a..b", "1.2.3-al pha", "-1.2.3", "1.2.-3", "1.2.3-é",
        "１.2.3", "99999999999999999999.0.0",
    ])
    func invalid(text: String) {
        #expect(SemanticVersion(text) == nil)
    }
}
