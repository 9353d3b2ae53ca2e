import SkillhostModel

/// How skillctl ends; documented in `skillctl --help`. A daemon error's `data.kind` picks
/// the status, so that a script can tell "no such skill" from "the model is down".
package enum ExitCode: Int32, CaseIterable {
    /// The command did what it was asked.
    case success = 0
    /// The daemon answered with an error of no more specific kind below.
    case failed = 1
    /// The command line was wrong: nothing was sent.
    case usage = 2
    /// The daemon could not be reached, or the connection dropped.
    case unreachable = 3
    /// `not_found`: no such skill or run.
    case notFound = 4
    /// `invalid_skill` or `conflict`: the file cannot be installed as asked.
    case notInstallable = 5
    /// `timeout`: the run passed its deadline.
    case timeout = 6
    /// `inference_failed`: the inference server failed; the run was trapped.
    case inferenceFailed = 7
    /// `crashed`: the skill's process died.
    case crashed = 8
    /// `overloaded` or `too_many_connections`: the daemon has no room now; retry later.
    case overloaded = 9

    /// What the status means, as `skillctl --help` lists it.
    var meaning: String {
        switch self {
        case .success: "success"
        case .failed: "the run or operation failed (the daemon answered with an error of another kind)"
        case .usage: "usage error: the command line is wrong"
        case .unreachable: "the daemon is not reachable"
        case .notFound: "not_found: no such skill or run"
        case .notInstallable: "invalid_skill or conflict: the file cannot be installed as asked"
        case .timeout: "timeout: the run passed its deadline"
        case .inferenceFailed: "inference_failed: the inference server failed"
        case .crashed: "crashed: the skill's process died"
        case .overloaded: "overloaded or too_many_connections: no room now; retry later"
        }
    }

    /// The status for a daemon error of `kind` (`nil`: a kind this skillctl does not know).
    init(errorKind kind: ErrorKind?) {
        switch kind {
        case .notFound: self = .notFound
        case .invalidSkill, .conflict: self = .notInstallable
        case .timeout: self = .timeout
        case .inferenceFailed: self = .inferenceFailed
        case .crashed: self = .crashed
        case .overloaded, .tooManyConnections: self = .overloaded
        default: self = .failed
        }
    }
}
