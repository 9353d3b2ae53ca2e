import CSystemShims
import Glibc
import Synchronization
import SystemCalls

/// A listening Unix stream socket that only its owner can reach, and that only one
/// process at a time serves.
///
/// Setting up, in order:
/// 1. The socket's directory is created with mode 0700 if missing. An existing one is left
///    as it is (it may be the working directory, or `$XDG_RUNTIME_DIR`), but nobody else
///    may be able to replace the socket in it: it must belong to the current user and be
///    writable by nobody else, or belong to root and be sticky (like /tmp). The socket
///    itself is 0600, which Linux enforces on `connect`.
/// 2. An exclusive `flock` is taken on `<path>.lock`, which then holds our pid; if another
///    process holds it, setup stops with ``UnixSocketError/alreadyServing(path:pid:)``.
/// 3. Holding the lock, a socket file left at `path` by a process that died is unlinked
///    (anything else at `path` is refused and left alone), the socket is bound, made 0600,
///    and listens.
///
/// ``close()`` unlinks the socket and releases the lock. The lock file stays: unlinking it
/// while locked would let two later daemons lock two different files of the same name. The
/// descriptors themselves are closed when the listener goes away.
public final class UnixSocketListener: Sendable {
    /// The socket's path.
    public let path: String
    private let socket: FileDescriptor
    private let lockFile: FileDescriptor
    private let isClosed = Atomic<Bool>(false)
    /// The listening socket and the lock file as they were opened, for a watcher to check that
    /// nothing in the process closed or replaced them.
    package let descriptorIdentities: [DescriptorIdentity]

    /// The lock file's path for a socket at `socketPath`.
    public static func lockPath(forSocket socketPath: String) -> String { socketPath + ".lock" }

    /// The largest listen backlog the system grants, `/proc/sys/net/core/somaxconn` (4096
    /// since Linux 5.4), or glibc's `SOMAXCONN` when that cannot be read: `listen` silently
    /// cuts any larger backlog down to it.
    public static func systemMaximumBacklog() -> Int32 {
        let text = (try? FileDescriptor.contents(ofFile: "/proc/sys/net/core/somaxconn", upTo: 64))
            .map { String(decoding: $0, as: UTF8.self) }
        let value = text?.split(whereSeparator: \.isWhitespace).first.flatMap { Int32($0) }
        return value.flatMap { $0 > 0 ? $0 : nil } ?? Int32(SOMAXCONN)
    }

    /// Sets up and listens on `path` with room for `backlog` connections not yet accepted;
    /// see the type's documentation.
    public init(path: String, backlog: Int32 = systemMaximumBacklog()) throws(UnixSocketError) {
        let limit = Int(cshim_unix_path_max())
        guard path.utf8.count <= limit else { throw .pathTooLong(path: path, limit: limit) }
        try Self.prepareDirectory(Self.directory(of: path))
        let lockPath = Self.lockPath(forSocket: path)
        let lockFile = try Self.acquireLock(lockPath, socketPath: path)
        try Self.removeStaleSocket(at: path)
        socket = try Self.bindAndListen(path, backlog: backlog)
        self.path = path
        descriptorIdentities = [
            try? DescriptorIdentity(of: socket.rawValue, role: "the listening socket \(path)"),
            try? DescriptorIdentity(of: lockFile.rawValue, role: "the lock file \(lockPath)"),
        ].compactMap { $0 }
        self.lockFile = lockFile
    }

    deinit {
        close()
    }

    /// Blocks until a client connects, and returns the connection.
    /// - Throws: `EINVAL` once ``stopAccepting()`` was called; other errors of `accept4`.
    public func accept() throws(SystemCallError) -> UnixSocketConnection {
        let connection = try retryingOnInterrupt("accept4", path: path) { cshim_accept_cloexec(socket.rawValue) }
        return try UnixSocketConnection(adopting: FileDescriptor(adopting: connection))
    }

    /// Wakes a thread blocked in ``accept()`` (it fails with `EINVAL`) and makes later
    /// calls fail at once. New clients are refused from now on.
    public func stopAccepting() {
        _ = Glibc.shutdown(socket.rawValue, Int32(SHUT_RDWR))
    }

    /// Stops accepting, unlinks the socket, and releases the lock.
    /// Safe to call more than once.
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopAccepting()
        unlink(path)
        _ = try? retryingOnInterrupt("flock", path: Self.lockPath(forSocket: path)) { flock(lockFile.rawValue, LOCK_UN) }
    }

    // MARK: Setting up

    static func directory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    private static func prepareDirectory(_ directory: String) throws(UnixSocketError) {
        var info = stat()
        if stat(directory, &info) != 0 {
            guard errno == ENOENT else { throw .systemCall(.lastError(of: "stat", path: directory)) }
            let parent = Self.directory(of: directory)
            if parent != directory { try createMissingDirectory(parent) }
            if mkdir(directory, 0o700) != 0 && errno != EEXIST {
                throw .systemCall(.lastError(of: "mkdir", path: directory))
            }
            guard stat(directory, &info) == 0 else {
                throw .systemCall(.lastError(of: "stat", path: directory))
            }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path: directory) }
        let currentUID = geteuid()
        let isRootsStickyDirectory = info.st_uid == 0 && info.st_mode & S_ISVTX != 0
        guard info.st_uid == currentUID || isRootsStickyDirectory else {
            throw .directoryNotOwned(directory: directory, ownerUID: info.st_uid, currentUID: currentUID)
        }
        guard info.st_mode & 0o022 == 0 || isRootsStickyDirectory else {
            throw .directoryWritableByOthers(directory: directory, mode: info.st_mode & 0o7777)
        }
    }

    /// Creates `directory` and its missing ancestors with mode 0700 (ancestors that exist
    /// are not touched).
    private static func createMissingDirectory(_ directory: String) throws(UnixSocketError) {
        var info = stat()
        if stat(directory, &info) == 0 { return }
        guard errno == ENOENT else { throw .systemCall(.lastError(of: "stat", path: directory)) }
        let parent = Self.directory(of: directory)
        if parent != directory { try createMissingDirectory(parent) }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .systemCall(.lastError(of: "mkdir", path: directory))
        }
    }

    private static func acquireLock(_ lockPath: String, socketPath: String) throws(UnixSocketError) -> FileDescriptor {
        let lockFile = try openLockFile(lockPath)
        do throws(SystemCallError) {
            try retryingOnInterrupt("flock", path: lockPath) { flock(lockFile.rawValue, LOCK_EX | LOCK_NB) }
        } catch {
            let isHeldElsewhere = error.errno == .wouldBlock
            throw isHeldElsewhere ? .alreadyServing(path: socketPath, pid: readPID(lockFile)) : .systemCall(error)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(lockFile.rawValue, 0)
        _ = pid.withUnsafeBytes { pwrite(lockFile.rawValue, $0.baseAddress, $0.count, 0) }
        return lockFile
    }

    private static func openLockFile(_ lockPath: String) throws(UnixSocketError) -> FileDescriptor {
        do throws(SystemCallError) {
            return try FileDescriptor.open(lockPath, flags: O_RDWR | O_CREAT, permissions: 0o600)
        } catch {
            throw .systemCall(error)
        }
    }

    private static func readPID(_ lockFile: borrowing FileDescriptor) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(lockFile.rawValue, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[..<count], as: UTF8.self)
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int32($0) }
    }

    private static func removeStaleSocket(at path: String) throws(UnixSocketError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard errno == ENOENT else { throw .systemCall(.lastError(of: "lstat", path: path)) }
            return
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .systemCall(.lastError(of: "unlink", path: path))
        }
    }

    private static func bindAndListen(_ path: String, backlog: Int32) throws(UnixSocketError) -> FileDescriptor {
        do throws(SystemCallError) {
            let socket = FileDescriptor(adopting: try retryingOnInterrupt("socket") { cshim_unix_stream_socket() })
            try retryingOnInterrupt("bind", path: path) { cshim_bind_unix(socket.rawValue, path) }
            do throws(SystemCallError) {
                try retryingOnInterrupt("chmod", path: path) { chmod(path, 0o600) }
                try retryingOnInterrupt("listen", path: path) { listen(socket.rawValue, backlog) }
            } catch {
                unlink(path)
                throw error
            }
            return socket
        } catch {
            throw .systemCall(error)
        }
    }
}
