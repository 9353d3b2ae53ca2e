import Glibc

/// An open file descriptor that closes itself, with system calls that report failures as
/// ``RegistryError/io(path:operation:reason:)`` naming the file and `strerror(errno)`.
struct FileDescriptor: ~Copyable {
    /// The path the descriptor was opened from, for messages.
    let path: String
    private let rawValue: Int32

    /// Opens `path` with `open(2)` flags; `O_CLOEXEC` is always added.
    init(opening path: String, flags: Int32, mode: mode_t = 0) throws(RegistryError) {
        let descriptor = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw FileSystem.lastError(path: path, operation: "open")
        }
        self.path = path
        self.rawValue = descriptor
    }

    deinit {
        Glibc.close(rawValue)
    }

    /// `fstat(2)`.
    func status() throws(RegistryError) -> stat {
        var status = stat()
        guard fstat(rawValue, &status) == 0 else {
            throw FileSystem.lastError(path: path, operation: "stat")
        }
        return status
    }

    /// Reads up to `buffer.count` bytes; returns how many were read, 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RegistryError) -> Int {
        while true {
            let count = Glibc.read(rawValue, buffer.baseAddress, buffer.count)
            if count >= 0 {
                return count
            }
            if errno != EINTR {
                throw FileSystem.lastError(path: path, operation: "read")
            }
        }
    }

    /// Writes all of `bytes`, however many `write(2)` calls that takes.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws(RegistryError) {
        var remaining = bytes
        while !remaining.isEmpty {
            let count = Glibc.write(rawValue, remaining.baseAddress, remaining.count)
            if count < 0 {
                if errno == EINTR {
                    continue
                }
                throw FileSystem.lastError(path: path, operation: "write")
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
        }
    }

    /// `fsync(2)`: the file's data and metadata reach the disk.
    func synchronize() throws(RegistryError) {
        guard fsync(rawValue) == 0 else {
            throw FileSystem.lastError(path: path, operation: "fsync")
        }
    }

    /// `fchmod(2)`.
    func setPermissions(_ mode: mode_t) throws(RegistryError) {
        guard fchmod(rawValue, mode) == 0 else {
            throw FileSystem.lastError(path: path, operation: "chmod")
        }
    }
}
