import Glibc

/// An open file descriptor that this value owns: it is closed exactly once, by ``close()`` or,
/// failing that, when the value goes away.
///
/// Non-copyable, because every user owns its descriptors for a lifetime that a scope or an
/// owning object already spells out (a file copied into the store, a socket held by its
/// connection, the two ends of a pipe): with a copyable struct and an explicit `close`, a copy
/// left behind could close a number that the kernel has since given to another file, and a
/// forgotten `close` would leak. Here the compiler sees to both. A class that owns a descriptor
/// holds one of these as a stored property, so the descriptor lives exactly as long as the
/// object and no thread can use a number after it was reused.
///
/// Every call retries `EINTR` and throws ``SystemCallError`` with the `errno` read at once.
package struct FileDescriptor: ~Copyable, Sendable {
    /// The descriptor's number, for calls this type does not wrap (`poll`, `getsockopt`).
    /// Never close it: this value does.
    package let rawValue: Int32

    /// Takes ownership of the open descriptor `rawValue`.
    package init(adopting rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Opens `path` with `open(2)` `flags` (`O_CLOEXEC` is always added) and, when `flags`
    /// creates the file, `permissions`.
    package static func open(
        _ path: String, flags: Int32, permissions: mode_t = 0
    ) throws(SystemCallError) -> FileDescriptor {
        let rawValue = try retryingOnInterrupt("open", path: path) { Glibc.open(path, flags | O_CLOEXEC, permissions) }
        return FileDescriptor(adopting: rawValue)
    }

    deinit {
        Glibc.close(rawValue)
    }

    /// Closes the descriptor now, and reports what `close(2)` reports (an `EIO` from a network
    /// file system, say). The number is released either way, so `EINTR` is not retried.
    package consuming func close() throws(SystemCallError) {
        let rawValue = rawValue
        discard self
        try callingOnce("close") { Glibc.close(rawValue) }
    }

    /// Reads up to `buffer.count` bytes into `buffer`: the count read, 0 at the end of the file.
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        return try retryingOnInterrupt("read") { Glibc.read(rawValue, base, buffer.count) }
    }

    /// Reads until the end of the file, or until `limit` bytes have been read, whichever comes
    /// first. Pass one more than the most you accept to tell a file that is too large.
    package func readToEnd(upTo limit: Int = .max) throws(SystemCallError) -> [UInt8] {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { chunk.deallocate() }
        var contents: [UInt8] = []
        while contents.count < limit {
            let wanted = min(chunk.count, limit - contents.count)
            let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<wanted]))
            if count == 0 { break }
            contents.append(contentsOf: chunk[..<count])
        }
        return contents
    }

    /// Writes as much of `bytes` as one `write(2)` takes: the count written.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(SystemCallError) -> Int {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        return try retryingOnInterrupt("write") { Glibc.write(rawValue, base, bytes.count) }
    }

    /// Writes all of `bytes`, however many `write(2)` calls that takes.
    package func writeAll(_ bytes: UnsafeRawBufferPointer) throws(SystemCallError) {
        var remaining = bytes
        while !remaining.isEmpty {
            let count = try write(remaining)
            remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
        }
    }

    /// Writes all of `bytes`, however many `write(2)` calls that takes.
    package func writeAll(_ bytes: [UInt8]) throws(SystemCallError) {
        let failure = bytes.withUnsafeBytes { buffer in
            Result { () throws(SystemCallError) in try writeAll(buffer) }
        }
        try failure.get()
    }

    /// Sends all of `bytes` on a socket, however many `send(2)` calls that takes, with
    /// `MSG_NOSIGNAL`: a peer that has gone is ``Errno/brokenPipe``, never a `SIGPIPE`.
    package func sendAll(_ bytes: UnsafeRawBufferPointer) throws(SystemCallError) {
        var remaining = bytes
        while let base = remaining.baseAddress, !remaining.isEmpty {
            let count = try retryingOnInterrupt("send") { Glibc.send(rawValue, base, remaining.count, Int32(MSG_NOSIGNAL)) }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
        }
    }

    /// `fstat(2)`.
    package func status() throws(SystemCallError) -> stat {
        var status = stat()
        try retryingOnInterrupt("fstat") { fstat(rawValue, &status) }
        return status
    }

    /// `fsync(2)`: the file's data and metadata reach the disk.
    package func synchronize() throws(SystemCallError) {
        try retryingOnInterrupt("fsync") { fsync(rawValue) }
    }

    /// `fchmod(2)`.
    package func setPermissions(_ permissions: mode_t) throws(SystemCallError) {
        try retryingOnInterrupt("fchmod") { fchmod(rawValue, permissions) }
    }
}

extension FileDescriptor {
    /// Runs `body` with `rawValue`, a descriptor this process has open but no value owns
    /// (standard error, say), as a ``FileDescriptor`` that is left open afterwards.
    package static func withUnowned<Value, Failure: Error>(
        _ rawValue: Int32, _ body: (borrowing FileDescriptor) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let view = FileDescriptor(adopting: rawValue)
        let result = Result { () throws(Failure) in try body(view) }
        view.relinquish()
        return try result.get()
    }

    /// Gives up ownership without closing.
    private consuming func relinquish() {
        discard self
    }

    /// The whole content of the file at `path`, read to its end (or `limit` bytes, as
    /// ``readToEnd(upTo:)``) with plain `read(2)` calls: right for `/proc` files, whose size
    /// reads as 0, as for a skill's bytes.
    ///
    /// - Throws: ``SystemCallError`` of `open` or `read`, naming `path`.
    package static func contents(ofFile path: String, upTo limit: Int = .max) throws(SystemCallError) -> [UInt8] {
        let file = try open(path, flags: O_RDONLY)
        do throws(SystemCallError) {
            return try file.readToEnd(upTo: limit)
        } catch {
            throw SystemCallError(call: error.call, errno: error.errno, path: path)
        }
    }
}
