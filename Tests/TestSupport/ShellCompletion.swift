/// A completion script run by the real shell, as it runs when one presses Tab.
public enum ShellCompletion {
    /// What bash offers at the end of `line`, sorted: `script` is sourced into a bash that
    /// runs `_skillctl` in `directory` with `COMP_WORDS`, `COMP_CWORD`, `COMP_LINE` and
    /// `COMP_POINT` set as bash sets them (words split at blanks and around `=`, `@` and `:`).
    ///
    /// - Throws: when bash fails or writes to standard error.
    public static func bash(_ line: String, script: String, in directory: String) async throws -> [String] {
        let driver = """
            source "$1" || exit 1
            cd "$2" || exit 1
            COMP_LINE=$3
            COMP_POINT=${#3}
            shift 3
            COMP_WORDS=("$@")
            COMP_CWORD=$(( $# - 1 ))
            _skillctl
            (( ${#COMPREPLY[@]} == 0 )) || printf '%s\\n' "${COMPREPLY[@]}"
            """
        let run = try await ProgramRun.run(
            "bash", ["--norc", "--noprofile", "-c", driver, "bash", script, directory, line] + bashWords(line))
        guard run.succeeded, run.standardError.isEmpty else {
            throw TestSupportError.unexpectedOutput(command: "bash completing \"\(line)\"", output: run.description,
                                                    expected: "candidates on standard output, nothing on standard error")
        }
        return run.lines.sorted()
    }

    /// `line` split as bash splits it into `COMP_WORDS`: at blanks, and around each of the
    /// word-breaking characters `=`, `@` and `:`; a blank at the end starts an empty word.
    public static func bashWords(_ line: String) -> [String] {
        var words: [String] = []
        for token in line.split(separator: " ") {
            var word = ""
            for character in token {
                if "=@:".contains(character) {
                    if !word.isEmpty { words.append(word) }
                    words.append(String(character))
                    word = ""
                } else {
                    word.append(character)
                }
            }
            if !word.isEmpty { words.append(word) }
        }
        return line.hasSuffix(" ") ? words + [""] : words
    }

    /// What fish offers at the end of `line` (`complete -C`) in `directory`, once `script`
    /// is sourced: the words without their descriptions, sorted.
    ///
    /// - Throws: when fish fails or writes to standard error.
    public static func fish(_ line: String, script: String, in directory: String) async throws -> [String] {
        let run = try await ProgramRun.run(
            "fish", ["--no-config", "-c", "source $argv[1]; and cd $argv[2]; and complete -C $argv[3]", script, directory, line])
        guard run.succeeded, run.standardError.isEmpty else {
            throw TestSupportError.unexpectedOutput(command: "fish completing \"\(line)\"", output: run.description,
                                                    expected: "candidates on standard output, nothing on standard error")
        }
        return run.lines.map { String($0.prefix { $0 != "\t" }) }.sorted()
    }

    /// What zsh's completion system offers at the end of `line` in `directory`, sorted: an
    /// interactive zsh on a pseudo-terminal (`zpty`) runs `compinit`, sources `script`, and
    /// gets `line` and a Tab; every match the completion functions add (through `compadd`)
    /// is recorded.
    ///
    /// - Throws: when zsh fails or writes to standard error.
    public static func zsh(_ line: String, script: String, in directory: String) async throws -> [String] {
        let driver = #"""
            zmodload zsh/zpty || exit 1
            local out=$(mktemp)
            zpty shell zsh -f -i
            zpty -w shell "PS1=''; cd ${(q)2}; autoload -Uz compinit; compinit -u -D; source ${(q)1}"
            zpty -w shell 'compadd() { local -a hits; builtin compadd -O hits "$@"; (( $#hits )) && print -rl -- $hits >>'"${(q)out}"'; builtin compadd "$@"; }'
            zpty -w -n shell "$3"$'	'
            local waited=0
            while [[ ! -s $out ]] && (( waited++ < 100 )); do sleep 0.1; done
            sleep 0.3
            zpty -d shell
            sort -u $out
            rm -f $out
            """#
        let run = try await ProgramRun.run("zsh", ["-f", "-c", driver, "zsh", script, directory, line],
                                           environment: ["HOME": directory, "PATH": "/usr/bin:/bin", "TERM": "dumb"])
        guard run.succeeded, run.standardError.isEmpty else {
            throw TestSupportError.unexpectedOutput(command: "zsh completing \"\(line)\"", output: run.description,
                                                    expected: "matches on standard output, nothing on standard error")
        }
        return run.lines.sorted()
    }
}
