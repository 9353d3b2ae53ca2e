import Roff
import SkillhostModel

extension DaemonSettingsDocument {
    /// skillhostd(8), made from ``DaemonSetting/all``: every setting as a flag (with its
    /// config file key and default), the config file's own keys, models, exit statuses.
    public static var manualPage: String {
        var page = ManualPage(name: "skillhostd", section: 8, source: "skillhost \(SkillhostRelease.version)",
                              manual: "skillhost manual")
        page.nameSection(summary: "the daemon that hosts LLM skills built as shared libraries")

        page.section("Synopsis")
        page.line(.usage("skillhostd [--config FILE] [--SETTING VALUE ...]"))
        page.line(.usage("skillhostd --help | --version"))

        page.section("Description")
        page.paragraphs(description)
        page.paragraphs("""
            Every setting below is a flag and, but for --config, a key of the JSON config file; \(precedence).
            """)

        page.section("Options")
        for setting in DaemonSetting.all {
            guard let flag = setting.flag else { continue }
            page.item(.usage(flag + " " + setting.placeholder), manualText(of: setting))
        }
        for (usage, text) in otherFlags {
            page.item(.usage(usage), sentence(text))
        }

        let fileOnly = DaemonSetting.all.filter { $0.flag == nil }
        if !fileOnly.isEmpty {
            page.section("Config file")
            page.paragraphs("Keys that only the config file can give:")
            for setting in fileOnly {
                guard let key = setting.configKey else { continue }
                page.item(.bold(key), manualText(of: setting))
            }
        }

        page.section("Models")
        page.paragraphs("Several named models, each served by one or more endpoints, instead of the shorthand:")
        page.example(modelsExample)
        page.paragraphs(modelsExplanation)

        let variables = DaemonSetting.all.filter { $0.environmentVariable != nil }
        if !variables.isEmpty {
            page.section("Environment")
            for setting in variables {
                guard let variable = setting.environmentVariable else { continue }
                let given = setting.flag ?? setting.name
                page.item(.bold(variable), "Sets \(given) (\(setting.summary)) when neither the flag nor the config file does.")
            }
        }

        page.section("Exit status")
        for status in DaemonExitStatus.allCases {
            page.item(.bold(String(status.rawValue)), status.meaning.prefix(1).uppercased() + status.meaning.dropFirst() + ".")
        }

        page.section("See also")
        page.paragraphs("skillctl(1)")
        return page.rendered
    }

    /// A setting's entry: what it sets, its config file key, its default.
    private static func manualText(of setting: DaemonSetting) -> String {
        var text = sentence(described(setting))
        if let key = setting.configKey, setting.flag != nil { text += " Config file key: `\(key)`." }
        if let value = defaultText(of: setting, code: { "`\($0)`" }) { text += " Default: \(value)." }
        return text
    }

    /// `text` with a capital first letter and a final period.
    private static func sentence(_ text: String) -> String {
        let capitalized = text.prefix(1).uppercased() + text.dropFirst()
        return capitalized.hasSuffix(".") ? capitalized : capitalized + "."
    }
}
