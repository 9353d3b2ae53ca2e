import Glibc

/// A failed system call's `errno`, described in the system's words.
struct SystemError: Error, Equatable, CustomStringConvertible {
    /// The `errno` value, such as `ECONNREFUSED`.
    let code: Int32

    /// What `strerror(3)` says, such as "Connection refused".
    var description: String { String(cString: strerror(code)) }

    /// Runs a system call that reports failure as -1 with `errno`, again for as long as a
    /// signal interrupts it (`EINTR`), and returns its result or its `errno`.
    ///
    /// `errno` is read right after the call, in a function that is never inlined, so that
    /// no reference counting (which may free memory and so touch `errno`) comes between
    /// them: the approach of SwiftNIO's `syscall` wrappers.
    @inline(never)
    static func retryingInterrupted<Value: FixedWidthInteger>(
        _ call: () -> Value
    ) -> Result<Value, SystemError> {
        while true {
            let value = call()
            guard value == -1 else { return .success(value) }
            let code = errno
            if code != EINTR { return .failure(SystemError(code: code)) }
        }
    }

    /// Runs a system call once, for the calls that must not be repeated after `EINTR`
    /// (`connect(2)`: the attempt goes on in the background), and returns its result or
    /// its `errno`, read the same way as in ``retryingInterrupted(_:)``.
    @inline(never)
    static func once<Value: FixedWidthInteger>(_ call: () -> Value) -> Result<Value, SystemError> {
        let value = call()
        return value == -1 ? .failure(SystemError(code: errno)) : .success(value)
    }
}
