import SkillhostModel

/// How skillctl ends; documented in `skillctl --help` and the README. One table decides the
/// status of every outcome: ``errorKinds`` says which daemon error kinds end with each
/// status, so that the same mistake ends the same way whether skillctl finds it or the
/// daemon does (a bad cron expression is 2 in `cron next` and in `schedules add`), and a
/// script can tell "no such skill" from "the model is down".
package enum ExitCode: Int32, CaseIterable {
    /// The command did what it was asked.
    case success = 0
    /// The run or operation failed, with a daemon error of no kind listed below.
    case failed = 1
    /// The command line, or a value or file it names, is wrong: nothing was done.
    case usage = 2
    /// The daemon could not be reached, or the connection dropped.
    case unreachable = 3
    /// No such skill, run, batch, schedule or endpoint.
    case notFound = 4
    /// The file cannot be installed as asked.
    case notInstallable = 5
    /// The run passed its deadline.
    case timeout = 6
    /// The inference server failed; the run was trapped.
    case inferenceFailed = 7
    /// The skill's process died.
    case crashed = 8
    /// The daemon has no room now; retry later.
    case overloaded = 9
    /// The skill refused its input.
    case invalidInput = 10
    /// The run is still going: `runs wait --timeout` passed first.
    case stillRunning = 11

    /// The daemon's error kinds that end skillctl with this status: the one place that
    /// maps kinds to statuses. Kinds listed under no status end with ``failed``.
    var errorKinds: [ErrorKind] {
        switch self {
        case .usage: [.invalidParams]
        case .notFound: [.notFound]
        case .notInstallable: [.invalidSkill, .conflict]
        case .timeout: [.timeout]
        case .inferenceFailed: [.inferenceFailed]
        case .crashed: [.crashed]
        case .overloaded: [.overloaded, .tooManyConnections]
        case .invalidInput: [.invalidInput]
        case .success, .failed, .unreachable, .stillRunning: []
        }
    }

    /// What the status means, as `skillctl --help` and the README list it: in words, then
    /// the daemon error kinds it stands for.
    var meaning: String {
        let kinds = errorKinds.map(\.rawValue).joined(separator: ", ")
        let words = switch self {
        case .success: "success"
        case .failed: "the run or operation failed: a daemon error of any kind not listed here"
        case .usage: "usage error: the command line, or a value or file it names, is wrong"
        case .unreachable: "the daemon is not reachable"
        case .notFound: "no such skill, run, batch, schedule or endpoint"
        case .notInstallable: "the file cannot be installed as asked"
        case .timeout: "the run passed its deadline"
        case .inferenceFailed: "the inference server failed"
        case .crashed: "the skill's process died"
        case .overloaded: "no room now; retry later"
        case .invalidInput: "the skill refused its input"
        case .stillRunning: "the run is still going (runs wait with --timeout)"
        }
        return kinds.isEmpty ? words : "\(words) (\(kinds))"
    }

    /// The status for a daemon error of `kind` (`nil`: a kind this skillctl does not know).
    init(errorKind kind: ErrorKind?) {
        self = kind.flatMap { kind in Self.allCases.first { $0.errorKinds.contains(kind) } } ?? .failed
    }
}
