import Foundation
@testable import SkillctlCommands
import TestSupport

/// The completion scripts of `skillctl completion`, written to a folder and run by the real
/// shells.
struct ShellCompletionDriver {
    /// Where the scripts are, and the files that completions of paths find.
    let directory: TemporaryDirectory

    /// Writes the three scripts, and in `files` (a folder in the directory) the files
    /// `a.so`, `items.jsonl`, `notes.txt` and the folder `sub`.
    init() throws {
        directory = try TemporaryDirectory(prefix: "completion")
        for shell in CompletionShell.allCases {
            try shell.script(for: SkillctlCommandList.parser)
                .write(toFile: directory.path("skillctl.\(shell.rawValue)"), atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: directory.path("files/sub"), withIntermediateDirectories: true)
        for file in ["a.so", "items.jsonl", "notes.txt"] {
            try "".write(toFile: directory.path("files/\(file)"), atomically: true, encoding: .utf8)
        }
    }

    /// The script for `shell`.
    func script(_ shell: CompletionShell) -> String {
        directory.path("skillctl.\(shell.rawValue)")
    }

    /// What bash offers at the end of `line`, in the folder of files (see ``ShellCompletion/bash(_:script:in:)``).
    func bash(_ line: String) async throws -> [String] {
        try await ShellCompletion.bash(line, script: script(.bash), in: directory.path("files"))
    }

    /// What fish offers at the end of `line`, in the folder of files (see ``ShellCompletion/fish(_:script:in:)``).
    func fish(_ line: String) async throws -> [String] {
        try await ShellCompletion.fish(line, script: script(.fish), in: directory.path("files"))
    }

    /// What zsh offers at the end of `line`, in the folder of files (see ``ShellCompletion/zsh(_:script:in:)``).
    func zsh(_ line: String) async throws -> [String] {
        try await ShellCompletion.zsh(line, script: script(.zsh), in: directory.path("files"))
    }
}
