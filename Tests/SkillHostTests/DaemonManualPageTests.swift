import Foundation
@testable import SkillDaemon
import Testing
import TestSupport

/// skillhostd(8) as groff reads it: without a warning, and with every setting.
@Suite("skillhostd's manual page")
struct DaemonManualPageTests {
    @Test("groff reads skillhostd.8 without a warning, and the page has every flag, config file key and default")
    func page() async throws {
        let directory = try TemporaryDirectory(prefix: "man")
        let file = directory.path("skillhostd.8")
        try DaemonSettingsDocument.manualPage.write(toFile: file, atomically: true, encoding: .utf8)

        let lint = try await ProgramRun.run("groff", ["-man", "-ww", "-z", "-Tutf8", file])
        #expect(lint.succeeded && lint.standardError.isEmpty, "\(lint)")

        // Lines long enough that no flag or key is broken or hyphenated.
        let rendered = try await ProgramRun.run("groff", ["-man", "-Tutf8", "-P-cbou", "-rLL=1000n", file])
        #expect(rendered.succeeded, "\(rendered)")
        let lines = rendered.lines.map { $0.trimmingCharacters(in: .whitespaces) }
        let text = lines.joined(separator: "\n")
        for setting in DaemonSetting.all {
            if let flag = setting.flag {
                #expect(lines.contains { $0 == "\(flag) \(setting.placeholder)" || $0.hasPrefix("\(flag) \(setting.placeholder) ") },
                        "the flag \(flag)")
                if let key = setting.configKey {
                    #expect(text.contains("Config file key: \(key)."), "\(flag)'s key \(key)")
                }
            } else if let key = setting.configKey {
                #expect(lines.contains { $0 == key || $0.hasPrefix(key + " ") }, "the config file key \(key)")
            }
            if case let .value(value)? = setting.default, setting.environmentVariable == nil {
                #expect(text.contains("Default: \(value)"), "\(setting.name)'s default \(value)")
            }
            if let variable = setting.environmentVariable {
                #expect(lines.contains { $0 == variable || $0.hasPrefix(variable + " ") }, "\(setting.name)'s \(variable)")
            }
        }
        #expect(text.contains("\"default_model\": \"gemma\"}"), "the example of models, as it is")
    }
}
