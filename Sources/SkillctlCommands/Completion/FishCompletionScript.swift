/// `skillctl completion fish`: `complete` lines for fish, one per command, option and
/// argument of the command list, each under a condition that reads where the cursor is.
struct FishCompletionScript {
    /// The commands it completes.
    let parser: CommandLineParser

    /// The whole script.
    var text: String {
        ([Self.header, tables, Self.functions, "complete -c skillctl -f", globals] + groups + parser.leaves.map(lines(of:)))
            .joined(separator: "\n") + "\n"
    }

    private static let header = """
        # fish completion for skillctl, made by `skillctl completion fish` from skillctl's own
        # command list. Install it as skillctl.fish in a directory of $fish_complete_path (such
        # as share/fish/vendor_completions.d), or load it with `skillctl completion fish | source`.
        # Installed skill names come from the daemon, through `skillctl list --names`.

        """

    /// The functions that answer from the command list: a group's commands and the one its
    /// name alone runs, and which options take a value.
    private var tables: String {
        let groups = parser.commands.compactMap { entry -> CommandGroup? in
            if case .group(let group) = entry { group } else { nil }
        }
        let subcommands = groups.map {
            "        case \(Self.quoted($0.name))\n            printf '%s\\n' \($0.subcommandNames.map(Self.quoted).joined(separator: " "))"
        }
        let defaults = groups.compactMap { group in
            group.defaultSubcommand.map { "        case \(Self.quoted(group.name))\n            echo \(Self.quoted($0))" }
        }
        let contexts: [(path: String, options: [OptionDeclaration])] =
            [(path: "", options: GlobalOptions.all)] + parser.leaves.map { (path: $0.path, options: $0.declaration.options) }
        let valued = contexts.flatMap { context in
            context.options.filter { $0.valueName != nil }.map { Self.quoted(context.path + "|" + $0.name) }
        }
        return """
            # The commands of group $argv[1]; nothing for a command of its own.
            function __skillctl_subcommands
                switch $argv[1]
            \(subcommands.joined(separator: "\n"))
                end
            end

            # The command group $argv[1] runs when its name comes alone.
            function __skillctl_default
                switch $argv[1]
            \(defaults.joined(separator: "\n"))
                end
            end

            # Whether option $argv[2] of command $argv[1] ('' for skillctl's own) takes a value.
            function __skillctl_takes_value
                contains -- "$argv[1]|$argv[2]" \(valued.joined(separator: " "))
            end

            """
    }

    private static let functions = #"""
        # Where the cursor is: the group typed (or nothing), the command (nothing while only a
        # group is there), and how many of the command's arguments come before the cursor,
        # on three lines.
        function __skillctl_position
            set -l tokens (commandline -opc)
            set -e tokens[1]
            set -l group ''
            set -l command ''
            set -l positionals 0
            set -l pending 0
            set -l ended 0
            for token in $tokens
                if test $pending = 1
                    set pending 0
                    continue
                end
                if test -z "$command" -a -z "$group"
                    if string match -q -- '-*' $token
                        not string match -q -- '*=*' $token; and __skillctl_takes_value '' $token; and set pending 1
                    else if test -n "$(__skillctl_subcommands $token)"
                        set group $token
                    else
                        set command $token
                    end
                    continue
                end
                if test -z "$command"
                    if contains -- $token (__skillctl_subcommands $group)
                        set command "$group $token"
                        continue
                    end
                    # Not one of the group's commands: a word of the command its name runs.
                    set command "$group $(__skillctl_default $group)"
                end
                if test $ended = 0 -a "$token" = --
                    set ended 1
                else if test $ended = 0; and string match -q -- '-?*' $token
                    not string match -q -- '*=*' $token; and __skillctl_takes_value $command $token; and set pending 1
                else
                    set positionals (math $positionals + 1)
                end
            end
            printf '%s\n' "$group" "$command" $positionals
        end

        # Whether no command is typed yet.
        function __skillctl_needs_command
            set -l position (__skillctl_position)
            test -z "$position[1]" -a -z "$position[2]"
        end

        # Whether group $argv[1] is typed, and none of its commands yet.
        function __skillctl_needs_subcommand
            set -l position (__skillctl_position)
            test "$position[1]" = $argv[1] -a -z "$position[2]"
        end

        # The command at the cursor (`runs show`, or the one a group's name alone runs), and
        # how many of its arguments come before the cursor, on two lines.
        function __skillctl_command
            set -l position (__skillctl_position)
            set -l command "$position[2]"
            if test -z "$command" -a -n "$position[1]"
                set command "$position[1] $(__skillctl_default $position[1])"
            end
            printf '%s\n' "$command" $position[3]
        end

        # Whether the command at the cursor is $argv (`runs show`).
        function __skillctl_in
            set -l command (__skillctl_command)
            test "$command[1]" = "$argv"
        end

        # Whether the cursor is at argument $argv[1] (0 for the first) of command $argv[2..].
        function __skillctl_at_argument
            set -l command (__skillctl_command)
            test "$command[1]" = "$argv[2..]" -a "$command[2]" = $argv[1]
        end

        # The installed skills, from the daemon at --socket (if typed), in 2 s at most.
        function __skillctl_skills
            set -l tokens (commandline -opc)
            set -l run $tokens[1]
            for index in (seq 2 (count $tokens))
                switch $tokens[$index]
                    case --socket
                        set -a run --socket $tokens[(math $index + 1)]
                    case '--socket=*'
                        set -a run $tokens[$index]
                end
            end
            command -q timeout; and set run timeout 2 $run
            $run list --names 2>/dev/null
        end

        # The paths that complete the current token: folders, and files ending in .SUFFIX for
        # one of the suffixes given (any file without one). With --at first, a skill's input:
        # @ and a path, once @ is typed.
        function __skillctl_paths
            set -l token (commandline -ct)
            set -l lead ''
            if test "$argv[1]" = --at
                set -e argv[1]
                string match -q -- '@*' $token; or return
                set lead @
                set token (string sub -s 2 -- $token)
            end
            for path in (__fish_complete_path $token)
                set path (string split -f1 \t -- $path)
                if test (count $argv) = 0; or string match -q -- '*/' $path
                    echo $lead$path
                    continue
                end
                for suffix in $argv
                    string match -q -- "*.$suffix" $path; and echo $lead$path
                end
            end
        end

        # IANA time zone names.
        function __skillctl_time_zones
            test -d /usr/share/zoneinfo; or return
            find /usr/share/zoneinfo -type f -not -path '*/posix/*' -not -path '*/right/*' -name '[A-Z]*' \
                | string replace /usr/share/zoneinfo/ ''
        end

        """#

    private var globals: String {
        let options = GlobalOptions.all.map { "complete -c skillctl -n __skillctl_needs_command " + Self.option($0) }
        let commands = parser.commands.map { entry in
            let abstract = switch entry {
            case .command(let type): type.declaration.abstract
            case .group(let group): group.abstract
            }
            return "complete -c skillctl -n __skillctl_needs_command -a \(Self.quoted(entry.name)) -d \(Self.quoted(CompletionWords.brief(abstract)))"
        }
        return "# skillctl's own options, and its commands.\n" + (options + commands).joined(separator: "\n") + "\n"
    }

    /// A group's commands, offered after its name.
    private var groups: [String] {
        parser.commands.compactMap { entry -> String? in
            guard case .group(let group) = entry else { return nil }
            let condition = Self.quoted("__skillctl_needs_subcommand \(group.name)")
            return "# skillctl \(group.name) COMMAND\n" + group.leaves.map { leaf in
                "complete -c skillctl -n \(condition) -a \(Self.quoted(leaf.declaration.name)) -d \(Self.quoted(CompletionWords.brief(leaf.declaration.abstract)))"
            }.joined(separator: "\n") + "\n"
        }
    }

    /// The lines of one command: its options, then its arguments.
    private func lines(of leaf: LeafCommand) -> String {
        let inCommand = Self.quoted("__skillctl_in \(leaf.path)")
        let options = CompletionWords.options(of: leaf).map { "complete -c skillctl -n \(inCommand) " + Self.option($0) }
        let arguments = leaf.declaration.arguments.enumerated().compactMap { (index, argument) -> String? in
            guard let values = Self.values(argument.completion) else { return nil }
            let condition = Self.quoted("__skillctl_at_argument \(index) \(leaf.path)")
            return "complete -c skillctl -n \(condition) \(values)"
        }
        return "# skillctl \(leaf.path)\n" + (options + arguments).joined(separator: "\n") + "\n"
    }

    /// The part of a `complete` line that names an option and what its value is.
    private static func option(_ option: OptionDeclaration) -> String {
        let names = option.name == GlobalOptions.help.declaration.name ? "-s h -l help" : "-l " + option.name.dropFirst(2)
        // A value: files (-r, no -f), or only what is offered (-x); a flag takes none.
        var value = ""
        if let completion = option.completion {
            switch values(completion) {
            case "-F"?: value = " -r -F"
            case let offered?: value = " -x " + offered
            case nil: value = " -x"
            }
        }
        return names + value + " -d " + quoted(CompletionWords.brief(option.help))
    }

    /// What a `complete` line offers for a value that names `completion`; `nil` for free text.
    private static func values(_ completion: ValueCompletion) -> String? {
        switch completion {
        case .text, .runID, .batchID, .scheduleID, .model, .endpoint: nil
        case .skill: "-a '(__skillctl_skills)'"
        case .file(let extensions) where extensions.isEmpty: "-F"
        case .file(let extensions): "-a " + quoted("(__skillctl_paths " + extensions.joined(separator: " ") + ")")
        case .input(let extensions): "-a " + quoted((["(__skillctl_paths --at"] + extensions).joined(separator: " ") + ")")
        case .choices(let words): "-a " + quoted(words.joined(separator: " "))
        case .timeZone: "-a '(__skillctl_time_zones)'"
        }
    }

    /// `text` in fish's single quotes, in which only `\` and `'` are escaped.
    static func quoted(_ text: String) -> String {
        "'" + text.replacing("\\", with: #"\\"#).replacing("'", with: #"\'"#) + "'"
    }
}
