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
        case "run": return "skillctl run SKILL [INPUT | - | @FILE] [--timeout SECONDS | --timeout-ms MS] [--model NAME] [--stream]"
        case "runs": return "skillctl runs [--skill S] [--status ST] [--limit N] [--before ID]"
        case "runs show": return "skillctl runs show ID"
        case "logs": return "skillctl logs ID"
        case "batch": return "skillctl batch start|show|items|cancel|results ..."
        case "batch start": return "skillctl batch start SKILL (@FILE.jsonl | -) [--parallelism N] [--retries N] [--timeout SECONDS] [--no-wait]"
        case "batch show": return "skillctl batch show ID"
        case "batch items": return "skillctl batch items ID [--status S]"
        case "batch cancel": return "skillctl batch cancel ID"
        case "batch results": return "skillctl batch results ID"
        case "cron", "cron next": return "skillctl cron next EXPR [--tz ZONE] [--after ISO8601] [--count N]"
        case "schedules", "schedules list": return "skillctl schedules [list | add | show | remove | pause | resume | trigger] ..."
        case "schedules add":
            return "skillctl schedules add SKILL --cron EXPR [--tz ZONE] [INPUT | @FILE | @FILE.jsonl --batch [--parallelism N]] "
                + "[--concurrency allow|forbid|replace] [--catch-up skip|once]"
        case "schedules show", "schedules remove", "schedules pause", "schedules resume", "schedules trigger":
            return "skillctl \(command) ID"
        case "inference", "inference status": return "skillctl inference [status | models | attach | detach] ..."
        case "inference models": return "skillctl inference models"
        case "inference attach":
            return "skillctl inference attach MODEL URL [--name N] [--served-model M] "
                + "[--api-key-env VAR | --api-key-file PATH] [--max-concurrent N]"
        case "inference detach": return "skillctl inference detach NAME"
        default: return "skillctl COMMAND"
        }
    }

    /// The help of `command`, or of the tool when `nil`.
    static func text(for command: String?) -> String {
        guard let command else { return tool }
        let body: String
        switch command {
        case "status":
            body = "Shows the daemon's version, uptime, socket, data directory, counts, models and inference endpoints."
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
                  --model NAME        the model the skill's inference calls use (one of
                                      `skillctl inference models`; default: the daemon's
                                      default model)
                  --stream            print the output as the run produces it (chunks the
                                      skill writes, and model text it streams), with the
                                      run's log lines on standard error; with --json, each
                                      notification is a line of JSON before the result.
                                      Interrupting skillctl cancels the run.
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
        case "batch", "batch start", "batch show", "batch items", "batch cancel", "batch results":
            body = batchBody
        case "schedules", "schedules list", "schedules add", "schedules show", "schedules remove", "schedules pause",
             "schedules resume", "schedules trigger":
            body = schedulesBody
        case "inference", "inference status", "inference models", "inference attach", "inference detach":
            body = inferenceBody
        case "cron", "cron next":
            body = """
                Prints the next times the cron expression EXPR fires, one per line in ISO 8601
                with the zone's UTC offset, e.g. 2026-03-29T03:00:00+02:00. Computed by
                skillctl itself: the daemon need not run.

                EXPR is ONE argument, so quote it: skillctl cron next '30 6 * * MON-FRI'.
                Five fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or
                JAN-DEC), day of week (0-7 or SUN-SAT; 0 and 7 are Sunday). Each takes *,
                lists (1,15), ranges (9-17), steps (*/15, 1-30/5, 5/10). Or a macro: @yearly,
                @annually, @monthly, @weekly, @daily, @midnight, @hourly. When both day fields
                are restricted, a day matches if either does (0 0 13 * FRI: every 13th and
                every Friday). Daylight-saving changes follow Debian cron: see docs/CRON.md.

                  --tz ZONE         an IANA time zone, e.g. Europe/Berlin (default: the local one)
                  --after ISO8601   start after this instant, e.g. 2026-03-29T00:00:00+01:00
                                    or 2026-03-28T23:00:00Z (default: now)
                  --count N         how many times to print, 1 to 1000 (default \(CronCommand.defaultCount))

                A bad expression exits with status 2 and names the field at fault.
                """
        default:
            return tool
        }
        return "usage: \(usageLine(for: command))\n\n\(body)\n\n\(globalOptions)\n"
    }

    private static let batchBody = """
        A batch runs SKILL (NAME or NAME@VERSION) once per item, several at a time, retrying
        the failures that can pass (inference_failed, timeout, crashed) with exponential
        backoff. The daemon keeps its progress: if it stops, the batch goes on when it starts
        again, and every item ends once, as done or failed.

          batch start SKILL (@FILE.jsonl | -)
                 starts a batch over the lines of FILE (one JSON value a line, each one
                 run's input; the daemon reads the file, which you must be able to read) or
                 of standard input, then waits for it with a progress bar on standard error
                 and prints its final record (--json: as JSON). Exit status 0 when every
                 item is done, 1 when some failed or the batch was cancelled.
                   --parallelism N     items run at once, 1 to 64 (default 1)
                   --retries N         retries of a failure that can pass, 0 to 10 (default 2)
                   --timeout SECONDS   the deadline of each run (e.g. 30, 0.5)
                   --no-wait           print the batch id and return at once
          batch show ID          the batch's status and counts
          batch items ID [--status S]
                                 its items in order: INDEX STATUS ATTEMPTS RUN ERROR
                                 (S: \(BatchCommand.itemStatuses.joined(separator: ", ")))
          batch cancel ID        starts no new item, cancels the running ones
          batch results ID       one JSON line per item, in item order:
                                 {"index", "status", "output", "error"}
        """

    private static let schedulesBody = """
        A schedule runs SKILL (NAME or NAME@VERSION) at the times of a cron expression (see
        `skillctl help cron`), in a time zone. The daemon keeps schedules and records every
        fire time: started (with its run or batch), skipped (and why) or missed.

          schedules              every schedule with its next fire time
          schedules add SKILL --cron EXPR
                 adds a schedule; each fire runs SKILL once with INPUT (JSON, else a
                 string; @FILE: the file's text; default {}), or, with @FILE.jsonl --batch,
                 starts a batch over the file's lines, read by the daemon at each fire.
                   --tz ZONE            an IANA time zone (default: the daemon's)
                   --concurrency allow|forbid|replace
                                        while the previous fire's work still runs: start
                                        anyway (default), skip this fire, or cancel the
                                        previous work and start
                   --catch-up skip|once fire times missed while the daemon was down: record
                                        them as missed (default), or fire once at start-up
                   --parallelism N      items of each batch run at once, 1 to 64 (default 1)
          schedules show ID      the schedule and its last 20 fires
          schedules remove ID    removes it; the runs and batches it started remain
          schedules pause ID     stops it firing until resumed
          schedules resume ID    goes on from its next fire time after now
          schedules trigger ID   fires it now, under its concurrency policy
        """

    private static let inferenceBody = """
        The daemon routes each inference call of a skill to an endpoint of the model it
        names (or the default model): an OpenAI-compatible server. A model may have several
        endpoints; calls go to the healthy one with the fewest requests in flight, and a
        failed attempt is retried on another. API keys are never shown, only where they
        come from (env:VAR or file:PATH).

          inference [status]     the default model, then each endpoint: NAME, MODEL, URL,
                                 HEALTH, LOAD (requests in flight / max), REQUESTS,
                                 FAILURES, P50 and P99 latency, LAST ERROR
          inference models       each model, its endpoints and how many are healthy
          inference attach MODEL URL
                 attaches an OpenAI-compatible server at URL as an endpoint of MODEL (a new
                 model, or one more endpoint of a known one). It lasts until skillhostd stops:
                 to keep it, add it to `models` in the daemon's config file.
                   --name N             the endpoint's name (default: MODEL-<n>)
                   --served-model M     the model name sent to the server (default: the
                                        server's own)
                   --api-key-env VAR    send the key held in VAR, a variable of the
                                        DAEMON's environment
                   --api-key-file PATH  send the key in PATH, read by the daemon; it must
                                        be yours, and private (chmod 600)
                   --max-concurrent N   requests sent to it at once (default: 1)
          inference detach NAME  removes the endpoint NAME; requests in flight on it finish
        """

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
          batch start SKILL @FILE       run a skill over each line of a JSONL file
          batch show|items|results ID   a batch, its items, its results as JSONL
          cron next 'EXPR'              the next fire times of a cron expression (local)
          schedules                     schedules: list, add, show, remove, pause, resume, trigger
          inference                     models and endpoints: status, models, attach, detach

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
