import Foundation
import SkillDaemon
import SkillctlCommands

// skillhost-man PAGE: prints a manual page, made from the declarations of the program it
// documents; `--list` prints the pages' names. scripts/install writes them to share/man.
let pages: KeyValuePairs<String, () -> String> = [
    "skillctl.1": { SkillctlManualPage.roff },
    "skillhostd.8": { DaemonSettingsDocument.manualPage },
]
let names = pages.map(\.key)
let usage = "usage: skillhost-man \(names.joined(separator: "|")) | --list"

switch CommandLine.arguments.dropFirst().first {
case "--list"?:
    print(names.joined(separator: "\n"))
case "-h"?, "--help"?:
    print("""
        \(usage)

        Prints the roff source of a manual page, made from the declarations of the program it
        documents (skillctl's commands, skillhostd's settings); --list prints the pages' names.
        """)
case let name? where CommandLine.arguments.count == 2:
    guard let page = pages.first(where: { $0.key == name })?.value else {
        FileHandle.standardError.write(Data("skillhost-man: no page \"\(name)\"\n\(usage)\n".utf8))
        exit(2)
    }
    FileHandle.standardOutput.write(Data(page().utf8))
default:
    FileHandle.standardError.write(Data("\(usage)\n".utf8))
    exit(2)
}
