import Glibc

/// Why a frame of the worker protocol (docs/WORKER-PROTOCOL.md) could not be sent or
/// received. Every case ends the connection: the daemon then kills the worker and records
/// the run as crashed with "protocol violation: ...".
package enum WorkerProtocolError: Error, Equatable, CustomStringConvertible {
    /// The peer closed the connection cleanly, between two frames.
    case connectionClosed
    /// A frame's length prefix is 0 or larger than ``WorkerMessage/maximumFrameLength``.
    case frameTooLarge(length: UInt32)
    /// A frame that breaks the protocol: an unknown message type, a field cut short,
    /// a string that is not UTF-8, or bytes left over after the last field.
    case malformed(String)
    /// A system call on the socket failed with `errno`.
    case systemCall(call: String, errno: Int32)

    package var description: String {
        switch self {
        case .connectionClosed:
            "the peer closed the connection"
        case let .frameTooLarge(length):
            "a frame of \(length) bytes is outside the allowed 1...\(WorkerMessage.maximumFrameLength) bytes"
        case let .malformed(reason):
            "malformed frame: \(reason)"
        case let .systemCall(call, code):
            "\(call) on the worker socket failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
