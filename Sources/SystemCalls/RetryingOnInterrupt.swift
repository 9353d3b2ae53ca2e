/// Runs `body`, a system call that reports failure as -1 with `errno`, again for as long as a
/// signal interrupts it (`EINTR`), and returns its result.
///
/// `errno` is read on the line after the call, before anything else can run and change it.
/// A call whose arguments depend on time (a `poll` timeout) should work them out inside
/// `body`, so that each retry waits only for what is left.
///
/// - Parameters:
///   - call: the call's name, for the error.
///   - path: the file the call is about, for the error.
/// - Throws: ``SystemCallError`` with any other `errno`.
@discardableResult
@inline(never)
package func retryingOnInterrupt<Result: FixedWidthInteger>(
    _ call: String, path: String? = nil, _ body: () -> Result
) throws(SystemCallError) -> Result {
    while true {
        let result = body()
        guard result == -1 else { return result }
        let code = Errno.current
        guard code == .interrupted else { throw SystemCallError(call: call, errno: code, path: path) }
    }
}

/// Runs `body`, a system call that reports failure as -1 with `errno`, exactly once, and returns
/// its result: for the calls that must not be repeated after `EINTR`. `close(2)` releases the
/// descriptor even when interrupted (a retry could close a number another thread just got),
/// and an interrupted `connect(2)` goes on in the background (a retry fails with `EALREADY`).
///
/// - Throws: ``SystemCallError`` with the `errno` read on the line after the call, `EINTR`
///   included.
@discardableResult
@inline(never)
package func callingOnce<Result: FixedWidthInteger>(
    _ call: String, path: String? = nil, _ body: () -> Result
) throws(SystemCallError) -> Result {
    let result = body()
    guard result == -1 else { return result }
    throw SystemCallError.lastError(of: call, path: path)
}
