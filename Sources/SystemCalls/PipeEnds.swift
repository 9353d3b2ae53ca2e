import CSystemShims

/// The two ends of a new pipe, both close-on-exec, each owned (and closed) on its own.
@frozen
package struct PipeEnds: ~Copyable, Sendable {
    /// The end to read from.
    package let readEnd: FileDescriptor
    /// The end to write to.
    package let writeEnd: FileDescriptor

    /// Creates a pipe with `pipe2(O_CLOEXEC)`.
    /// - Throws: ``SystemCallError`` of `pipe2` (``Errno/tooManyOpenFiles`` most likely).
    package init() throws(SystemCallError) {
        var ends: [Int32] = [-1, -1]
        try retryingOnInterrupt("pipe2") { cshim_pipe_cloexec(&ends) }
        readEnd = FileDescriptor(adopting: ends[0])
        writeEnd = FileDescriptor(adopting: ends[1])
    }
}
