import CSystemShims
import Glibc
import Synchronization
import SystemCalls

/// One end of a connected Unix stream socket.
///
/// Reads and writes retry on `EINTR`; a write sends every byte (looping over partial
/// writes) and never raises `SIGPIPE` (a peer that has gone yields `EPIPE`). Whole writes
/// are serialized by a lock, so messages written from several threads never interleave.
/// ``shutdown()`` ends both directions at once and wakes a thread blocked in ``read(into:)``;
/// the file descriptor itself is closed when the last reference goes away, so no thread
/// can ever use a descriptor number that has been reused.
public final class UnixSocketConnection: Sendable {
    /// The process at the other end, as the kernel saw it when the connection was made.
    public let peer: PeerCredentials
    private let socket: FileDescriptor
    // Guards nothing but the right to write: one whole message at a time.
    private let writeLock = Mutex<Void>(())

    /// Takes ownership of a connected socket and reads its peer's credentials.
    /// On failure the socket is closed.
    init(adopting socket: consuming FileDescriptor) throws(SystemCallError) {
        peer = try PeerCredentials.of(socket: socket)
        self.socket = socket
    }

    /// Connects to the Unix socket at `path`.
    /// - Throws: ``UnixSocketError/systemCall(_:)`` with `connect`'s errno (`ENOENT`,
    ///   `ECONNREFUSED`, `EACCES`...), or ``UnixSocketError/pathTooLong(path:limit:)``.
    public static func connect(to path: String) throws(UnixSocketError) -> UnixSocketConnection {
        let limit = Int(cshim_unix_path_max())
        guard path.utf8.count <= limit else { throw .pathTooLong(path: path, limit: limit) }
        do throws(SystemCallError) {
            let socket = FileDescriptor(adopting: try retryingOnInterrupt("socket") { cshim_unix_stream_socket() })
            // connect is not restarted after EINTR (the connection proceeds in the background),
            // and on a Unix socket it completes at once, so it is called exactly once.
            try callingOnce("connect", path: path) { cshim_connect_unix(socket.rawValue, path) }
            return try UnixSocketConnection(adopting: socket)
        } catch {
            throw .systemCall(error)
        }
    }

    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 at end of stream.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int {
        try socket.read(into: buffer)
    }

    /// Writes all of `bytes`, as one message no other write interleaves with.
    public func write(_ bytes: [UInt8]) throws(SystemCallError) {
        let outcome: Result<Void, SystemCallError> = writeLock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                Result { () throws(SystemCallError) in try socket.sendAll(buffer) }
            }
        }
        try outcome.get()
    }

    /// Writes as much of `bytes` as the socket takes now, without waiting for room: returns
    /// how many bytes were written (0 when the socket's buffer is full). Serialized with
    /// ``write(_:)`` by the same lock.
    public func writeWithoutWaiting(_ bytes: ArraySlice<UInt8>) throws(SystemCallError) -> Int {
        let outcome: Result<Int, SystemCallError> = writeLock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var written = 0
                while written < buffer.count {
                    do throws(SystemCallError) {
                        written += try retryingOnInterrupt("send") {
                            send(socket.rawValue, buffer.baseAddress! + written, buffer.count - written,
                                 Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                        }
                    } catch where error.errno == .wouldBlock {
                        break
                    } catch {
                        return .failure(error)
                    }
                }
                return .success(written)
            }
        }
        return try outcome.get()
    }

    /// Ends both directions: the peer sees end of stream, a blocked ``read(into:)`` returns 0,
    /// later writes fail with `EPIPE`. Safe to call more than once, from any thread.
    public func shutdown() {
        _ = Glibc.shutdown(socket.rawValue, Int32(SHUT_RDWR))
    }

    /// Ends the writing direction only: the peer sees end of stream, and can still answer.
    public func shutdownWriting() {
        _ = Glibc.shutdown(socket.rawValue, Int32(SHUT_WR))
    }

    /// Whether the peer has closed its end completely (not merely shut down its writing
    /// side). Does not block.
    public var peerHasHungUp: Bool {
        var descriptor = pollfd(fd: socket.rawValue, events: 0, revents: 0)
        let ready = (try? retryingOnInterrupt("poll") { poll(&descriptor, 1, 0) }) ?? 1
        return ready > 0 && descriptor.revents & Int16(POLLHUP | POLLERR) != 0
    }
}
