import Glibc
import Synchronization
import SystemCalls

/// Blocking frame I/O of the worker protocol over a connected stream socket.
///
/// Reads and writes retry on `EINTR` and loop over partial transfers; sends use
/// `MSG_NOSIGNAL`, so a peer that has gone yields `EPIPE` instead of `SIGPIPE`. ``send(_:)``
/// may be called from several threads: a lock keeps whole frames from interleaving.
/// ``receive()`` must be called from one thread at a time. ``shutdown()`` wakes a blocked
/// ``receive()``; the descriptor is closed only when the channel is released, so no thread
/// can ever use a descriptor number that has been reused.
package final class WorkerChannel: Sendable {
    private let socket: FileDescriptor
    // Guards nothing but the right to write: one whole frame at a time.
    private let sendLock = Mutex<Void>(())

    /// Takes ownership of the connected stream socket `fileDescriptor`.
    package init(fileDescriptor: Int32) {
        socket = FileDescriptor(adopting: fileDescriptor)
    }

    /// Sends `message` as one frame.
    /// - Throws: ``WorkerProtocolError/frameTooLarge(length:)`` when it encodes to more than
    ///   ``WorkerMessage/maximumFrameLength`` bytes (nothing is sent), or
    ///   ``WorkerProtocolError/systemCall(call:errno:)`` (`EPIPE` once the peer has gone).
    package func send(_ message: WorkerMessage) throws(WorkerProtocolError) {
        let frame = message.encodedFrame()
        let length = frame.count - 4
        guard length <= Int(WorkerMessage.maximumFrameLength) else {
            throw .frameTooLarge(length: UInt32(clamping: length))
        }
        let sent: Result<Void, SystemCallError> = sendLock.withLock { _ in
            frame.withUnsafeBytes { buffer in
                Result { () throws(SystemCallError) in try socket.sendAll(buffer) }
            }
        }
        if case let .failure(error) = sent { throw .systemCall(call: error.call, errno: error.errno.rawValue) }
    }

    /// Blocks until a whole frame has arrived and decodes it. With `exitDescriptor` (a pidfd
    /// of the peer process), the peer's exit counts as the end of the stream once the socket
    /// holds nothing more, even when another process (a child the peer forked) keeps the
    /// peer's end of the socket open.
    /// - Throws: ``WorkerProtocolError/connectionClosed`` when the peer closed the connection
    ///   (or exited, or ``shutdown()`` was called) between frames; ``WorkerProtocolError/malformed(_:)``
    ///   when it closed in the middle of a frame or the frame breaks the protocol;
    ///   ``WorkerProtocolError/frameTooLarge(length:)``; or
    ///   ``WorkerProtocolError/systemCall(call:errno:)``.
    package func receive(exitDescriptor: Int32? = nil) throws(WorkerProtocolError) -> WorkerMessage {
        var prefix: UInt32 = 0
        let prefixRead = try withUnsafeMutableBytes(of: &prefix) { buffer throws(WorkerProtocolError) in
            try readFully(into: buffer, exitDescriptor: exitDescriptor)
        }
        switch prefixRead {
        case 0:
            throw .connectionClosed
        case MemoryLayout<UInt32>.size:
            break
        default:
            throw .malformed("the connection closed after \(prefixRead) of the 4 bytes of a frame's length")
        }
        let length = UInt32(littleEndian: prefix)
        guard length >= 1, length <= WorkerMessage.maximumFrameLength else { throw .frameTooLarge(length: length) }
        var bodyRead = 0
        var readError: WorkerProtocolError?
        let frame = [UInt8](unsafeUninitializedCapacity: Int(length)) { buffer, initialized in
            do throws(WorkerProtocolError) {
                bodyRead = try readFully(into: UnsafeMutableRawBufferPointer(buffer), exitDescriptor: exitDescriptor)
            } catch {
                readError = error
            }
            initialized = bodyRead
        }
        if let readError { throw readError }
        guard bodyRead == Int(length) else {
            throw .malformed("the connection closed after \(bodyRead) of the \(length) bytes of a frame")
        }
        return try WorkerMessage.decode(frame)
    }

    /// Ends both directions: the peer sees end of stream, a blocked ``receive()`` throws
    /// ``WorkerProtocolError/connectionClosed``, later sends fail with `EPIPE`. Safe to call
    /// more than once, from any thread.
    package func shutdown() {
        _ = Glibc.shutdown(socket.rawValue, Int32(SHUT_RDWR))
    }

    /// Reads until `buffer` is full or the stream ends (or, with `exitDescriptor`, the socket
    /// is empty and that descriptor is readable); returns the bytes read.
    private func readFully(into buffer: UnsafeMutableRawBufferPointer, exitDescriptor: Int32?) throws(WorkerProtocolError) -> Int {
        var filled = 0
        while filled < buffer.count {
            do throws(SystemCallError) {
                if let exitDescriptor {
                    var watched = [pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0),
                                   pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)]
                    try retryingOnInterrupt("poll") { poll(&watched, 2, -1) }
                    // The socket first: what the peer wrote before it exited is still read.
                    if watched[0].revents == 0 {
                        if watched[1].revents != 0 { break }
                        continue
                    }
                }
                let received = try retryingOnInterrupt("recv") {
                    Glibc.recv(socket.rawValue, buffer.baseAddress! + filled, buffer.count - filled,
                               exitDescriptor == nil ? 0 : Int32(MSG_DONTWAIT))
                }
                if received == 0 { break }
                filled += received
            } catch where error.errno == .wouldBlock {
                continue
            } catch {
                throw .systemCall(call: error.call, errno: error.errno.rawValue)
            }
        }
        return filled
    }
}
