/// `skillctl completion bash`: a completion function for bash, its tables (commands,
/// subcommands, options, what each value names) written from the command list, and one
/// walk over the words typed that reads them.
struct BashCompletionScript {
    /// The commands it completes.
    let parser: CommandLineParser

    /// The whole script.
    var text: String {
        [Self.header, tables, Self.functions].joined(separator: "\n")
    }

    private static let header = """
        # bash completion for skillctl, made by `skillctl completion bash` from skillctl's own
        # command list. Load it with `source <(skillctl completion bash)`, or install it as
        # skillctl in a bash-completion directory (share/bash-completion/completions).
        # Installed skill names come from the daemon, through `skillctl list --names`.

        """

    /// The tables: shell functions that answer from the command list.
    private var tables: String {
        let groups = parser.commands.compactMap { entry -> CommandGroup? in
            if case .group(let group) = entry { group } else { nil }
        }
        let subcommands = groups.map { "    \(Self.quoted($0.name))) echo \(Self.quoted($0.subcommandNames.joined(separator: " "))) ;;" }
        let defaults = groups.compactMap { group in
            group.defaultSubcommand.map { "    \(Self.quoted(group.name))) echo \(Self.quoted($0)) ;;" }
        }
        let contexts: [(path: String, options: [OptionDeclaration])] =
            [(path: "", options: GlobalOptions.all)] + parser.leaves.map { (path: $0.path, options: CompletionWords.options(of: $0)) }
        let options = contexts.map { context in
            let names = context.options.flatMap { $0.name == GlobalOptions.help.declaration.name ? ["-h", $0.name] : [$0.name] }
            return "    \(Self.quoted(context.path))) echo \(Self.quoted(names.joined(separator: " "))) ;;"
        }
        let values = contexts.flatMap { context in
            context.options.compactMap { option -> String? in
                guard let completion = option.completion else { return nil }
                let kind = CompletionWords.kind(of: completion) ?? ["text"]
                return "    \(Self.quoted(context.path + "|" + option.name))) echo \(Self.quoted(kind.joined(separator: " "))) ;;"
            }
        }
        let arguments = parser.leaves.flatMap { leaf in
            leaf.declaration.arguments.enumerated().compactMap { (index, argument) -> String? in
                guard let kind = CompletionWords.kind(of: argument.completion) else { return nil }
                return "    \(Self.quoted("\(leaf.path)|\(index)"))) echo \(Self.quoted(kind.joined(separator: " "))) ;;"
            }
        }
        return """
            # The words that may follow skillctl's global options.
            _skillctl_commands=\(Self.quoted(parser.commands.map(\.name).joined(separator: " ")))

            # The commands of group $1; nothing for a command of its own.
            _skillctl_subcommands() {
                case $1 in
            \(subcommands.joined(separator: "\n"))
                esac
            }

            # The command group $1 runs when its name comes alone.
            _skillctl_default() {
                case $1 in
            \(defaults.joined(separator: "\n"))
                esac
            }

            # The options of command $1: '' for skillctl's own, 'runs show' for one of a group.
            _skillctl_options() {
                case $1 in
            \(options.joined(separator: "\n"))
                esac
            }

            # What the value of option $2 of command $1 names (see _skillctl_values); nothing
            # for a flag.
            _skillctl_option_value() {
                case "$1|$2" in
            \(values.joined(separator: "\n"))
                esac
            }

            # What argument $2 (0 for the first) of command $1 names; nothing when it is free text.
            _skillctl_argument() {
                case "$1|$2" in
            \(arguments.joined(separator: "\n"))
                esac
            }

            """
    }

    private static let functions = #"""
        # skillctl itself as it was typed, to ask it for installed skills.
        _skillctl_program() {
            local program=${COMP_WORDS[0]}
            [[ $program == "~/"* ]] && program=$HOME/${program#"~/"}
            printf '%s\n' "$program"
        }

        # The names of the installed skills, from the daemon at --socket (if typed), in 2 s at most.
        _skillctl_installed_skills() {
            local -a run=("$(_skillctl_program)" "${socket[@]}" list --names)
            command -v timeout >/dev/null && run=(timeout 2 "${run[@]}")
            "${run[@]}" 2>/dev/null
        }

        # Paths that start with $value: directories, and files ending in .$1, .$2 ... (any file
        # without extensions).
        _skillctl_files() {
            if (( $# == 0 )); then
                compgen -f -- "$value"
                return
            fi
            local extension
            compgen -d -- "$value"
            for extension; do
                compgen -f -X "!*.$extension" -- "$value"
            done
        }

        # The candidates, one a line, for a value that starts with $value, of the kind $1
        # (with its words after it): choices WORD..., file [EXTENSION...], input [EXTENSION...]
        # (@FILE), skill, time-zone.
        _skillctl_values() {
            local kind=$1
            shift
            case $kind in
            choices) compgen -W "$*" -- "$value" ;;
            file) _skillctl_files "$@" ;;
            input)
                [[ $value == @* ]] || return 0
                value=${value#@}
                local path
                _skillctl_files "$@" | while IFS= read -r path; do
                    [[ -d $path ]] && path+=/
                    printf '@%s\n' "$path"
                done
                ;;
            skill)
                # Matched here, not by compgen -W, which would expand whatever a daemon answers.
                [[ $value == *@* ]] && return 0
                local name
                _skillctl_installed_skills | while IFS= read -r name; do
                    [[ $name == "$value"* ]] && printf '%s\n' "$name"
                done
                ;;
            time-zone)
                local zones=/usr/share/zoneinfo zone
                [[ -d $zones ]] || return 0
                for zone in $(cd "$zones" && compgen -f -- "$value"); do
                    [[ -d $zones/$zone ]] && zone+=/
                    printf '%s\n' "$zone"
                done
                ;;
            esac
        }

        # The words before the cursor as skillctl sees them, in words[] and cword: bash splits
        # COMP_WORDS at = @ :, and this joins what no blank separated (--isolation=process).
        _skillctl_join_words() {
            local line=${COMP_LINE:0:COMP_POINT} rest word i
            words=()
            cword=-1
            for (( i = 0; i <= COMP_CWORD; i++ )); do
                word=${COMP_WORDS[i]}
                rest=${line#"${line%%[![:space:]]*}"}
                if (( i > 0 )) && [[ ${#rest} == "${#line}" ]]; then
                    words[cword]+=$word
                else
                    words+=("$word")
                    cword=$(( ${#words[@]} - 1 ))
                fi
                line=${rest:${#word}}
            done
        }

        _skillctl() {
            local -a words=() socket=() kind=()
            local cword command='' group='' word pending='' ended=false positionals=0 i
            _skillctl_join_words
            local cur=${words[cword]}
            # The words typed so far: global options, the command (or a group and one of its
            # commands), then the command's options and arguments.
            for (( i = 1; i < cword; i++ )); do
                word=${words[i]}
                if [[ -n $pending ]]; then
                    [[ $pending == '|--socket' ]] && socket=(--socket "$word")
                    pending=''
                    continue
                fi
                if [[ -z $command && -z $group ]]; then
                    if [[ $word == -* ]]; then
                        [[ $word == --socket=* ]] && socket=("$word")
                        [[ $word != *=* && -n $(_skillctl_option_value '' "$word") ]] && pending="|$word"
                    elif [[ -n $(_skillctl_subcommands "$word") ]]; then
                        group=$word
                    else
                        command=$word
                    fi
                    continue
                fi
                if [[ -z $command ]]; then
                    if [[ " $(_skillctl_subcommands "$group") " == *" $word "* ]]; then
                        command="$group $word"
                        continue
                    fi
                    # Not one of the group's commands: a word of the command its name runs.
                    command="$group $(_skillctl_default "$group")"
                fi
                if ! $ended && [[ $word == -- ]]; then
                    ended=true
                elif ! $ended && [[ $word == -?* ]]; then
                    [[ $word != *=* && -n $(_skillctl_option_value "$command" "$word") ]] && pending="$command|$word"
                else
                    (( positionals++ ))
                fi
            done

            # What the word at the cursor is, and so what to offer.
            local context=$command lead='' value=$cur
            [[ -z $command && -n $group ]] && context="$group $(_skillctl_default "$group")"
            [[ -z $group && -z $command ]] && context=''
            if [[ -n $pending ]]; then
                read -ra kind <<<"$(_skillctl_option_value "${pending%%|*}" "${pending#*|}")"
            elif ! $ended && [[ $cur == -?*=* ]]; then
                lead=${cur%%=*}=
                value=${cur#*=}
                read -ra kind <<<"$(_skillctl_option_value "$context" "${cur%%=*}")"
            elif ! $ended && [[ $cur == -* ]]; then
                read -ra kind <<<"choices $(_skillctl_options "$context")"
            elif [[ -z $group && -z $command ]]; then
                read -ra kind <<<"choices $_skillctl_commands"
            elif [[ -z $command ]]; then
                read -ra kind <<<"choices $(_skillctl_subcommands "$group")"
            else
                read -ra kind <<<"$(_skillctl_argument "$command" "$positionals")"
            fi
            COMPREPLY=()
            (( ${#kind[@]} > 0 )) || return 0
            # Paths as bash shows them (quoted, a folder with its slash); an @FILE input or a
            # time zone marks its folders itself, and a lone folder waits for more.
            [[ ${kind[0]} == file ]] && compopt -o filenames 2>/dev/null
            # bash replaces only what follows the word's last = or : (and @, without hostcomplete):
            # drop what comes before it from each candidate.
            local breaks='=:' candidate
            shopt -q hostcomplete || breaks+=@
            local tail=${cur##*[$breaks]}
            local strip=$(( ${#cur} - ${#tail} ))
            while IFS= read -r candidate; do
                [[ -n $candidate ]] || continue
                candidate=$lead$candidate
                COMPREPLY+=("${candidate:strip}")
            done < <(_skillctl_values "${kind[@]}")
            if [[ ${kind[0]} != file && ${#COMPREPLY[@]} == 1 && $COMPREPLY == */ ]]; then
                compopt -o nospace 2>/dev/null
            fi
        }

        complete -F _skillctl skillctl

        """#

    /// `text` in single quotes, for the shell.
    static func quoted(_ text: String) -> String {
        "'" + text.replacing("'", with: #"'\''"#) + "'"
    }
}
