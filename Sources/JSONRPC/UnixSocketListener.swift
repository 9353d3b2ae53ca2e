import CSystemShims
import Glibc
import Synchronization
import SystemCalls

/// A listening Unix stream socket: one this process binds, which only its owner can reach
/// and only one process at a time serves, or one another process (a service manager) made
/// and passed to it.
///
/// Setting up a socket of its own (``init(path:backlog:)``), in order:
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
///
/// A socket passed by another process (``init(adoptingListeningSocket:)``) is checked to be a
/// listening Unix stream socket, and is never shut down or unlinked: the process that made
/// it still holds it, and clients that connect once this one stopped accepting wait in its
/// queue for the next server it starts.
public final class UnixSocketListener: Sendable {
    /// The socket's path: where it is bound, `@name` for an abstract name, or "" for none.
    public let path: String
    /// Whether another process made the socket and passed it to this one.
    public let isAdopted: Bool
    private let socket: FileDescriptor
    /// The lock beside a socket of this process's own; nil for an adopted one.
    private let lock: ExclusiveFileLock?
    private let isClosed = Atomic<Bool>(false)
    private let isStopped = Atomic<Bool>(false)
    /// The listening socket and the lock file as they were opened, for a watcher to check that
    /// nothing in the process closed or replaced them.
    package let descriptorIdentities: [DescriptorIdentity]

    /// How long an adopted socket's ``accept()`` waits at most before it looks again whether
    /// ``stopAccepting()`` was called: such a socket cannot be shut down to wake it.
    static let adoptedStopCheckInterval = Duration.milliseconds(200)

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
        let lock = try Self.acquireLock(Self.lockPath(forSocket: path), socketPath: path)
        try Self.removeStaleSocket(at: path)
        socket = try Self.bindAndListen(path, backlog: backlog)
        self.path = path
        isAdopted = false
        descriptorIdentities = [
            try? DescriptorIdentity(of: socket.rawValue, role: "the listening socket \(path)"), lock.descriptorIdentity,
        ].compactMap { $0 }
        self.lock = lock
    }

    /// Takes over `descriptor`, a socket another process made and passed to this one (a
    /// service manager's socket activation), once it is checked to be a Unix stream socket
    /// that listens. The listener owns the descriptor from now on, and closes it at once when
    /// it is refused.
    /// - Throws: ``UnixSocketError/notAListeningUnixSocket(descriptor:reason:)`` saying what
    ///   it is instead.
    public init(adoptingListeningSocket descriptor: Int32) throws(UnixSocketError) {
        let socket = FileDescriptor(adopting: descriptor)
        if let problem = Self.problem(withPassedSocket: descriptor) {
            throw .notAListeningUnixSocket(descriptor: descriptor, reason: problem)
        }
        do throws(SystemCallError) {
            path = try SocketInspection.unixAddress(of: descriptor)
        } catch {
            throw .notAListeningUnixSocket(descriptor: descriptor, reason: "\(error)")
        }
        self.socket = socket
        isAdopted = true
        lock = nil
        let role = "the listening socket \(path.isEmpty ? "(unnamed)" : path), passed by the service manager"
        descriptorIdentities = [try? DescriptorIdentity(of: descriptor, role: role)].compactMap { $0 }
    }

    /// Why `descriptor` cannot be served as a listening Unix stream socket; nil when it can.
    private static func problem(withPassedSocket descriptor: Int32) -> String? {
        do throws(SystemCallError) {
            guard try SocketInspection.isSocket(descriptor) else { return "it is not a socket" }
            let kind = try SocketInspection.kind(of: descriptor)
            guard kind.domain == AF_UNIX else { return "it is not a Unix socket (its domain is \(kind.domain))" }
            guard kind.type == Int32(SOCK_STREAM.rawValue) else {
                return "it is not a stream socket (its type is \(kind.type)): a socket unit needs ListenStream="
            }
            guard kind.isListening else { return "it does not listen (SO_ACCEPTCONN is 0)" }
            return nil
        } catch {
            return "\(error)"
        }
    }

    deinit {
        close()
    }

    /// Blocks until a client connects, and returns the connection.
    /// - Throws: `EINVAL` once ``stopAccepting()`` was called; other errors of `accept4`.
    public func accept() throws(SystemCallError) -> UnixSocketConnection {
        if isAdopted { try waitForClient() }
        let connection = try retryingOnInterrupt("accept4", path: path) { cshim_accept_cloexec(socket.rawValue) }
        return try UnixSocketConnection(adopting: FileDescriptor(adopting: connection))
    }

    /// Wakes a thread blocked in ``accept()`` (it fails with `EINVAL`) and makes later
    /// calls fail at once. New clients of a socket of this process's own are refused from
    /// now on; those of an adopted socket wait in its queue, which is not shut down, since
    /// its maker shares it: a shut-down socket would refuse every later server it passes it to.
    public func stopAccepting() {
        guard !isStopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if !isAdopted { _ = Glibc.shutdown(socket.rawValue, Int32(SHUT_RDWR)) }
    }

    /// Stops accepting; for a socket of this process's own, unlinks it and releases the lock.
    /// Safe to call more than once.
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopAccepting()
        guard let lock else { return }
        unlink(path)
        lock.release()
    }

    /// Waits until a client is waiting to be accepted on an adopted socket, looking every
    /// ``adoptedStopCheckInterval`` whether ``stopAccepting()`` was called.
    /// - Throws: `EINVAL` once it was, as `accept4` does on a socket that was shut down.
    private func waitForClient() throws(SystemCallError) {
        while true {
            guard !isStopped.load(ordering: .acquiring) else {
                throw SystemCallError(call: "accept4", errno: .invalidArgument, path: path)
            }
            var entry = pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0)
            let ready = try retryingOnInterrupt("poll", path: path) {
                poll(&entry, 1, Self.adoptedStopCheckInterval.millisecondsRoundedUp)
            }
            if ready > 0 && !isStopped.load(ordering: .acquiring) { return }
        }
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

    private static func acquireLock(_ lockPath: String, socketPath: String) throws(UnixSocketError) -> ExclusiveFileLock {
        do throws(ExclusiveFileLock.Failure) {
            return try ExclusiveFileLock(path: lockPath, note: ["\(getpid())"])
        } catch {
            switch error {
            case let .held(note): throw .alreadyServing(path: socketPath, pid: note.first.flatMap { Int32($0) })
            case let .systemCall(failure): throw .systemCall(failure)
            }
        }
    }

    private static func removeStaleSocket(at path: String) throws(UnixSocketError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard errno == ENOENT else { throw .systemCall(.lastError(of: "lstat", path: path)) }
            return
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
        // A socket that answers is not stale, whatever its lock says: a service manager's
        // socket unit listens without the lock, and unlinking its socket would leave it
        // listening on nothing.
        if (try? UnixSocketConnection.connect(to: path)) != nil {
            throw .alreadyServing(path: path, pid: nil)
        }
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
