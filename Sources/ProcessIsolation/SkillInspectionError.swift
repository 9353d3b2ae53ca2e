import SystemCalls

/// Why a skill file could not be inspected in a worker at install. Every message names the
/// file.
public enum SkillInspectionError: Error, Equatable, CustomStringConvertible {
    /// The loader refused the file: the worker's `load_failed` message.
    case refused(message: String)
    /// The worker died while it loaded the file (an ELF constructor crashed, or called
    /// `exit`): how it ended, and the tail of its stderr.
    case crashed(path: String, termination: String, standardErrorTail: String)
    /// The worker did not answer within `timeout`: an ELF constructor hangs.
    case timedOut(path: String, timeout: Duration)
    /// No worker could be started, or it broke the protocol.
    case workerFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .refused(message):
            return message
        case let .crashed(path, termination, tail):
            let said = tail.isEmpty ? "" : "; its stderr ended with: \(tail)"
            return "\(path) crashed while loading (\(termination))\(said): "
                + "its ELF constructors (or the libraries it needs) fail; it is not a usable skill"
        case let .timedOut(path, timeout):
            return "\(path) did not finish loading within \(Self.seconds(timeout)): "
                + "its ELF constructors (or the libraries it needs) hang; it is not a usable skill"
        case let .workerFailed(path, reason):
            return "cannot inspect \(path) in a worker process: \(reason)"
        }
    }

    /// "10 s", "1.5 s".
    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.wholeMilliseconds
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}
