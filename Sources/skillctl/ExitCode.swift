/// How skillctl ends; documented in `skillctl --help`.
enum ExitCode: Int32 {
    /// The command did what it was asked.
    case success = 0
    /// The daemon answered with an error: the run or operation failed.
    case failed = 1
    /// The command line was wrong: nothing was sent.
    case usage = 2
    /// The daemon could not be reached, or the connection dropped.
    case unreachable = 3
}
