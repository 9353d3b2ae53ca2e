/// The help texts.
enum Help {
    /// skillctl's version.
    static let version = "0.1.0"

    /// The usage line of `command` (e.g. "run"), as help shows it.
    static func usageLine(for command: String) -> String {
        switch command {
        case "status": return "skillctl status"
        case "install": return "skillctl install PATH [--force] [--sha256 HEX] [--isolation process|inprocess] [--memory-limit SIZE]"
        case "memory-limit": return "skillctl memory-limit NAME[@VERSION] SIZE|none|default"
        case "isolation": return "skillctl isolation NAME[@VERSION] process|inprocess"
        case "list": return "skillctl list"
        case "show": return "skillctl show NAME[@VERSION]"
        case "remove": return "skillctl remove NAME [--version V]"
        case "run": return "skillctl run SKILL [INPUT | - | @FILE] [--timeout SECONDS | --timeout-ms MS] [--model NAME]"
        case "runs": return "skillctl runs [--skill S] [--status ST] [--limit N] [--before ID]"
        case "runs show": return "skillctl runs show ID"
        case "logs": return "skillctl logs ID"
        default: return "skillctl COMMAND"
        }
    }

    /// The help of `command`, or of the tool when `nil`.
    static func text(for command: String?) -> String {
        guard let command else { return tool }
        let body: String
        switch command {
        case "status":
            body = "Shows the daemon's version, uptime, socket, data directory, counts and inference endpoint."
        case "install":
            body = """
                Installs the skill library at PATH (a relative path is resolved against the current
                directory). The daemon must be able to read the file, and so must you.

                  --force        replace an installed skill of the same name and version
                  --sha256 HEX   refuse the file unless its SHA-256 is HEX
                  --isolation process|inprocess
                                 where the skill runs: in a worker process (crashes and
                                 hangs stay contained), or on a thread of the daemon (for
                                 trusted skills). Default: the daemon's default_isolation.
                  --memory-limit SIZE
                                 the address-space limit of its worker processes: 512M, 2G
                                 (binary units), none, or default (the daemon's
                                 memory_limit_bytes)
                """
        case "memory-limit":
            body = """
                Sets the memory limit of the worker processes of NAME (every version, or only
                VERSION), from their next start on: SIZE in bytes or with a K, M or G suffix
                (binary units: 512M is 512 MiB), `none` for no limit, or `default` for the
                daemon's memory_limit_bytes. A worker that passes it is recorded as crashed.
                """
        case "isolation":
            body = """
                Sets where NAME (every version, or only VERSION) runs from its next run on:
                `process`, in a worker process of its own, or `inprocess`, on a thread of
                the daemon (microsecond overhead, for skills you trust).
                """
        case "list":
            body = "Lists the installed skills, by name then version."
        case "show":
            body = "Shows one installed skill; without @VERSION, its highest version."
        case "remove":
            body = """
                Removes a skill: every version, or only V. Runs keep their history.

                  --version V    remove only this version
                """
        case "run":
            body = """
                Runs SKILL (NAME or NAME@VERSION) and prints its output: a JSON string raw,
                any other JSON value pretty-printed.

                INPUT is parsed as JSON when it is valid JSON, and sent as a JSON string
                otherwise; text that starts with { or [ but is not valid JSON is refused as a
                likely typo. `-` reads it from standard input, `@FILE` from a file (text that is
                not JSON loses one trailing newline). Without INPUT the skill gets {}.

                  --timeout SECONDS   fail the run after this long (e.g. 30, 0.5)
                  --timeout-ms MS     the same, in milliseconds
                  --model NAME        the inference model the skill's calls use
                """
        case "runs":
            body = """
                Lists runs, newest first: ID, SKILL, VERSION, STATUS, DURATION, CREATED, ERROR.
                `skillctl runs show ID` shows one run in full.

                  --skill S      only runs of skill S
                  --status ST    only runs in status ST (\(Invocation.runStatuses.joined(separator: ", ")))
                  --limit N      at most N runs, 1 to 1000 (default 50)
                  --before ID    only runs older than run ID, for paging
                """
        case "runs show":
            body = "Shows every field of run ID: status, times, input, output, error, usage."
        case "logs":
            body = "Prints the lines run ID logged (host->log), oldest first, as LEVEL MESSAGE."
        default:
            return tool
        }
        return "usage: \(usageLine(for: command))\n\n\(body)\n\n\(globalOptions)\n"
    }

    private static let globalOptions = """
        Global options:
          --socket PATH   the daemon's socket (default: $SKILLHOST_SOCKET, else
                          $XDG_RUNTIME_DIR/skillhost/skillhostd.sock, else /tmp/skillhost-UID/skillhostd.sock)
          --json          print the daemon's JSON result as is, for programs
          -h, --help      show help (also after a command)
          --version       print skillctl's version
        """

    private static let tool = """
        skillctl: control skillhostd, the daemon that hosts LLM skills.

        usage: skillctl [--socket PATH] [--json] COMMAND [ARGUMENTS]

        Commands:
          status                        the daemon's state
          install PATH                  install a skill library (.so)
          list                          the installed skills
          show NAME[@VERSION]           one skill
          remove NAME                   remove a skill
          run SKILL [INPUT|-|@FILE]     run a skill and print its output
          runs                          recent runs
          runs show ID                  one run in full
          logs ID                       the log lines of run ID
          isolation NAME MODE           run a skill in a worker process or in process
          memory-limit NAME SIZE        the memory limit of a skill's worker processes

        \(globalOptions)

        Exit status:
          0   success
          1   the run or operation failed (the daemon answered with an error of another kind)
          2   usage error: the command line is wrong
          3   the daemon is not reachable
          4   not_found: no such skill or run
          5   invalid_skill or conflict: the file cannot be installed as asked
          6   timeout: the run passed its deadline
          7   inference_failed: the inference server failed
          8   crashed: the skill's process died
          9   overloaded: no room now; retry later
        With --json, a daemon error is printed to standard error as one line of JSON
        ({"code", "message", "data": {"kind", ...}}).

        Results go to standard output, errors to standard error.
        `skillctl COMMAND --help` explains one command.

        """
}
