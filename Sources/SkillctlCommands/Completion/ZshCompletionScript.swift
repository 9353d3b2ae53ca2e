/// `skillctl completion zsh`: a completion function for zsh's completion system, one
/// `_arguments` specification per command, written from the command list.
struct ZshCompletionScript {
    /// The commands it completes.
    let parser: CommandLineParser

    /// The whole script.
    var text: String {
        ([Self.header, Self.helpers] + parser.leaves.map(function(of:)) + groupFunctions + [main, Self.footer])
            .joined(separator: "\n")
    }

    private static let header = """
        #compdef skillctl
        # zsh completion for skillctl, made by `skillctl completion zsh` from skillctl's own
        # command list. Install it as _skillctl in a directory of $fpath (such as
        # share/zsh/vendor-completions), or load it with `source <(skillctl completion zsh)`
        # after compinit. Installed skill names come from the daemon, through
        # `skillctl list --names`.

        """

    private static let helpers = #"""
        # The installed skills, from the daemon at --socket (if typed), in 2 s at most.
        _skillctl_skills() {
          local -a skills expl
          skills=(${(f)"$(_call_program skills ${commands[timeout]:+timeout 2} ${(q)_skillctl_program} ${(q)_skillctl_socket} list --names 2>/dev/null)"})
          _wanted skills expl 'installed skill' compadd -a skills
        }

        # A skill's input: @ and a file (ending in one of the extensions given, if any), or text.
        _skillctl_input() {
          if compset -P '@'; then
            if (( $# > 1 )); then _files -g "*.(${(j:|:)@})"; elif (( $# )); then _files -g "*.$1"; else _files; fi
          else
            _message 'JSON or text, - for standard input, @FILE for a file'
          fi
        }

        """#

    /// The function that completes `leaf`'s options and arguments: `_skillctl_runs_show`.
    private func function(of leaf: LeafCommand) -> String {
        let declaration = leaf.declaration
        let options = CompletionWords.options(of: leaf).map { option in
            let set = declaration.exclusiveOptions.first { $0.contains(option.name) } ?? []
            return Self.specification(of: option, excluding: set.filter { $0 != option.name })
        }
        let arguments = declaration.arguments.enumerated().map { index, argument in
            "'\(index + 1):\(argument.isOptional ? ":" : "")\(Self.escaped(argument.valueName)):\(Self.action(argument.completion))'"
        }
        return """
            # skillctl \(leaf.path)
            \(Self.functionName(leaf.path))() {
              _arguments -S \\
            \((options + arguments).map { "    " + $0 }.joined(separator: " \\\n"))
            }

            """
    }

    /// One `_arguments` entry: `'(--timeout-ms)--timeout=[fail the run after this long]:SECONDS: '`;
    /// `excluding` names the options it may not come with, `-` for every other word.
    private static func specification(of option: OptionDeclaration, excluding: [String]) -> String {
        let description = "[" + escaped(CompletionWords.brief(option.help)) + "]"
        if option.name == GlobalOptions.help.declaration.name {
            return "'(- *)'{-h,--help}'\(description)'"
        }
        let exclusion = excluding.isEmpty ? "" : "(" + excluding.joined(separator: " ") + ")"
        guard let valueName = option.valueName else { return "'\(exclusion)\(option.name)\(description)'" }
        return "'\(exclusion)\(option.name)=\(description):\(escaped(valueName)):\(action(option.completion ?? .text))'"
    }

    /// The functions of the groups, which complete a command's name, then hand its words
    /// to its function (or, for a group that runs one when alone, the words to that one's).
    private var groupFunctions: [String] {
        parser.commands.compactMap { entry -> String? in
            guard case .group(let group) = entry else { return nil }
            let described = group.leaves.map { "'\(Self.escaped($0.declaration.name)):\(Self.quotedText(CompletionWords.brief($0.declaration.abstract)))'" }
            let cases = group.leaves.map { leaf in
                "    \(leaf.declaration.name)) shift words; (( CURRENT-- )); \(Self.functionName(leaf.path)) ;;"
            }
            let fallback = group.defaultSubcommand.map { "    *) \(Self.functionName("\(group.name) \($0)")) ;;" }
            return """
                # skillctl \(group.name) COMMAND
                \(Self.functionName(group.name))() {
                  if (( CURRENT == 2 )) && [[ $PREFIX != -* ]]; then
                    local -a subcommands=(\(described.joined(separator: " ")))
                    _describe -t commands 'skillctl \(group.name) command' subcommands
                    return
                  fi
                  case ${words[2]} in
                \((cases + [fallback].compactMap { $0 }).joined(separator: "\n"))
                  esac
                }

                """
        }
    }

    private var main: String {
        // --version, like --help, asks for nothing else.
        let globals = GlobalOptions.all.map { option in
            Self.specification(of: option, excluding: option == GlobalOptions.version.declaration ? ["-", "*"] : [])
        }
        let commands = parser.commands.map { entry in
            let abstract = switch entry {
            case .command(let type): type.declaration.abstract
            case .group(let group): group.abstract
            }
            return "'\(entry.name):\(Self.quotedText(CompletionWords.brief(abstract)))'"
        }
        let cases = parser.commands.map { entry in
            "        \(entry.name)) \(Self.functionName(entry.name)) && ret=0 ;;"
        }
        return """
            _skillctl() {
              local curcontext=$curcontext state state_descr line ret=1
              local -A opt_args
              local _skillctl_program=${words[1]}
              local -a _skillctl_socket
              _arguments -C \\
            \(globals.map { "    " + $0 }.joined(separator: " \\\n")) \\
                '1:command:->command' \\
                '*::argument:->argument' && ret=0
              case $state in
                command)
                  local -a commands=(\(commands.joined(separator: " ")))
                  _describe -t commands 'skillctl command' commands && ret=0
                  ;;
                argument)
                  [[ -n ${opt_args[--socket]} ]] && _skillctl_socket=(--socket ${opt_args[--socket]})
                  case ${words[1]} in
            \(cases.joined(separator: "\n"))
                  esac
                  ;;
              esac
              return ret
            }

            """
    }

    private static let footer = """
        if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
          _skillctl "$@"
        else
          compdef _skillctl skillctl
        fi

        """

    /// What completes a value that names `completion`: `_files -g '*.(so)'`, `(process inprocess)`.
    private static func action(_ completion: ValueCompletion) -> String {
        switch completion {
        case .text, .runID, .batchID, .scheduleID, .model, .endpoint: " "
        case .skill: "_skillctl_skills"
        case .file(let extensions): extensions.isEmpty ? "_files" : "_files -g \"\(globPattern(extensions))\""
        case .input(let extensions): (["_skillctl_input"] + extensions).joined(separator: " ")
        case .choices(let words): "(" + words.joined(separator: " ") + ")"
        case .timeZone: "_time_zone"
        }
    }

    /// The files with one of `extensions`: `*.so`, `*.(so|jsonl)` (not `*.(so)`, whose
    /// parentheses zsh reads as glob qualifiers).
    private static func globPattern(_ extensions: [String]) -> String {
        extensions.count == 1 ? "*.\(extensions[0])" : "*.(" + extensions.joined(separator: "|") + ")"
    }

    /// The function of the command or group at `path`: `_skillctl_runs_show`.
    private static func functionName(_ path: String) -> String {
        "_skillctl_" + path.replacing(" ", with: "_").replacing("-", with: "_")
    }

    /// `text` for inside the brackets and colons of an `_arguments` entry (its own backslash
    /// escapes), within single quotes.
    private static func escaped(_ text: String) -> String {
        quotedText(text).replacing("[", with: #"\["#).replacing("]", with: #"\]"#).replacing(":", with: #"\:"#)
    }

    /// `text` for inside single quotes.
    private static func quotedText(_ text: String) -> String {
        text.replacing("\\", with: #"\\"#).replacing("'", with: #"'\''"#)
    }
}
