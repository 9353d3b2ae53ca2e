@testable import SkillRuntime
import TestSupport
import Testing

@Suite("Skill loader")
struct SkillLoaderTests {
    @Test("the C example skill loads and describes itself")
    func loadsHello() throws {
        let path = try BuildProducts.plugin(named: "hello")
        let manifest = try SkillLoader.inspect(path: path)
        #expect(manifest.name == "hello")
        #expect(manifest.version == "1.0.0")
        #expect(manifest.abiMajor == 1)
        #expect(!manifest.isSerial)
        #expect(manifest.description.contains("Greets"))
    }

    @Test("the Swift example skill loads")
    func loadsComplete() throws {
        let manifest = try SkillLoader.inspect(path: try BuildProducts.plugin(named: "complete"))
        #expect(manifest.name == "complete")
    }

    @Test("a serial skill says so")
    func serialFlag() async throws {
        let manifest = try SkillLoader.inspect(path: try await FixtureSkills.path(for: "serial_counter"))
        #expect(manifest.isSerial)
    }

    @Test("a text file is refused as not ELF, naming the path")
    func notELF() throws {
        let path = try FixtureSkills.notAnELF()
        let error = #expect(throws: SkillLoadError.self) { try SkillLoader.inspect(path: path) }
        guard case .notELF = error else { Issue.record("expected notELF, got \(String(describing: error))"); return }
        #expect(error!.description.contains(path))
        #expect(error!.description.contains("not an ELF shared object"))
    }

    @Test("a shared object for another machine is refused before dlopen")
    func wrongArchitecture() async throws {
        let path = try await FixtureSkills.wrongArchitecture()
        let error = #expect(throws: SkillLoadError.self) { try SkillLoader.inspect(path: path) }
        guard case let .wrongArchitecture(_, file, host) = error else {
            Issue.record("expected wrongArchitecture, got \(String(describing: error))")
            return
        }
        #expect(file != host)
        #expect(error!.description.contains("rebuild the skill for \(host)"))
    }

    @Test("no skill_entry is refused")
    func missingEntry() async throws {
        let path = try await FixtureSkills.path(for: "no_entry")
        #expect(throws: SkillLoadError.missingEntry(path: path)) { try SkillLoader.inspect(path: path) }
    }

    @Test("a descriptor without the magic is refused")
    func badMagic() async throws {
        let path = try await FixtureSkills.path(for: "bad_magic")
        let error = #expect(throws: SkillLoadError.self) { try SkillLoader.inspect(path: path) }
        guard case .invalidEntry = error else { Issue.record("expected invalidEntry, got \(String(describing: error))"); return }
        #expect(error!.description.contains("magic"))
    }

    @Test("ABI versions outside the accepted range are refused with both versions",
          arguments: [("abi_too_new", "2.0"), ("abi_newer_minor", "1.2")])
    func unsupportedABI(fixture: String, version: String) async throws {
        let path = try await FixtureSkills.path(for: fixture)
        let error = #expect(throws: SkillLoadError.self) { try SkillLoader.inspect(path: path) }
        guard case .unsupportedABI = error else { Issue.record("expected unsupportedABI, got \(String(describing: error))"); return }
        #expect(error!.description.contains("built for skill ABI \(version)"))
        #expect(error!.description.contains("accepts ABI 1.0 to 1.1"))
    }

    @Test("invalid descriptor fields are refused, naming the field",
          arguments: [("bad_name", "name"), ("bad_version", "version"), ("null_run", "run")])
    func invalidDescriptor(fixture: String, field: String) async throws {
        let path = try await FixtureSkills.path(for: fixture)
        let error = #expect(throws: SkillLoadError.self) { try SkillLoader.inspect(path: path) }
        guard case let .invalidDescriptor(_, reportedField, _) = error else {
            Issue.record("expected invalidDescriptor, got \(String(describing: error))")
            return
        }
        #expect(reportedField == field)
    }

    @Test("skill names follow the ABI's rule",
          arguments: [("hello", true), ("a", true), ("9-lives", true), ("-x", false), ("Hello", false),
                      ("", false), ("with space", false), (String(repeating: "a", count: 64), true),
                      (String(repeating: "a", count: 65), false)])
    func names(name: String, valid: Bool) {
        #expect(SkillManifest.isValidName(name) == valid)
    }
}
