import JSON
import SkillhostModel

/// How `runs wait` and `runs attach` end: with a run's record, printed as `run` prints the
/// run's outcome, and the exit status it calls for.
enum RunEnding {
    /// Prints `record`, then returns the status of the run's outcome: a succeeded run's
    /// output as `run` prints it (nothing more with `printsOutput` false: an attach printed
    /// it as it came), a failed run's error on standard error with the status of its kind
    /// (as `run`), a run still going as a line on standard error and ``ExitCode/stillRunning``.
    /// With `json`, the record as the daemon sent it, and the same status.
    static func finish(_ record: JSONValue, json: Bool, printsOutput: Bool = true) -> ExitCode {
        let status = record["status"]?.stringValue.flatMap(RunStatus.init(rawValue:))
        let runID = Formatting.plain(record["run_id"])
        let exitCode: ExitCode = switch status {
        case .succeeded: .success
        case .running, .queued: .stillRunning
        default: ExitCode(errorKind: record["error"]?["kind"]?.stringValue.flatMap(ErrorKind.init(rawValue:)))
        }
        if json {
            Console.output(record.serialized())
            return exitCode
        }
        switch status {
        case .succeeded:
            if printsOutput, let output = record["output"] {
                Console.output(output.stringValue ?? output.serialized(.pretty))
            }
        case .running, .queued:
            Console.info("run \(runID) is still running: `skillctl runs wait \(runID)` waits for its end")
        default:
            let message = record["error"].map { Formatting.plain($0["message"]) } ?? "the run \(status?.rawValue ?? "ended")"
            Console.error(message, details: ["run: \(runID)"])
        }
        return exitCode
    }
}
