import Foundation
import Glibc
import Synchronization

/// A service manager's notification socket, for tests: a Unix datagram socket bound at a path
/// (what `NOTIFY_SOCKET` names), and every datagram it receives, with the time it came, kept
/// in order. A thread of its own reads them until the listener goes away.
public final class NotifySocketListener: Sendable {
    /// One datagram received.
    public struct Message: Sendable {
        /// Its `NAME=value` lines, as sent.
        public var text: String
        /// When it was received.
        public var received: ContinuousClock.Instant

        /// The value of `name` in it (`READY` is "1" in `READY=1`), or nil.
        public func value(of name: String) -> String? {
            for line in text.split(separator: "\n") where line.hasPrefix(name + "=") {
                return String(line.dropFirst(name.count + 1))
            }
            return nil
        }
    }

    /// What the reading thread shares with the listener: it holds this, not the listener, so
    /// that the listener's end stops it.
    private final class Inbox: Sendable {
        let state = Mutex<(messages: [Message], stopped: Bool)>(([], false))
    }

    /// The socket's path.
    public let path: String
    private let inbox = Inbox()

    /// Binds a datagram socket at `path` and starts reading it.
    public init(path: String) throws(TestSupportError) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .systemCallFailed(operation: "socket(AF_UNIX, SOCK_DGRAM)", target: path, errno: errno) }
        guard path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else {
            close(descriptor)
            throw .systemCallFailed(operation: "bind", target: path, errno: ENAMETOOLONG)
        }
        let bound = withUnixSocketAddress(path) { bind(descriptor, $0, $1) }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw .systemCallFailed(operation: "bind", target: path, errno: code)
        }
        self.path = path
        let thread = Thread { [inbox] in Self.receive(on: descriptor, into: inbox) }
        thread.name = "notify-socket-listener"
        thread.start()
    }

    deinit {
        stop()
        unlink(path)
    }

    /// Stops reading (the thread closes the socket); the messages received so far stay.
    public func stop() {
        inbox.state.withLock { $0.stopped = true }
    }

    /// Every datagram received so far, in order.
    public var messages: [Message] {
        inbox.state.withLock { $0.messages }
    }

    /// The first message received with `name=value` in it, waiting up to `timeout` for one.
    public func first(_ name: String, _ value: String, within timeout: Duration = .seconds(30)) async -> Message? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = messages.first(where: { $0.value(of: name) == value }) { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return messages.first { $0.value(of: name) == value }
    }

    /// The thread's body: reads datagrams from `descriptor` into `inbox`, looking every 100 ms
    /// whether to stop, and then closes it.
    private static func receive(on descriptor: Int32, into inbox: Inbox) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !inbox.state.withLock({ $0.stopped }) {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count >= 0 else { continue }
            let message = Message(text: String(decoding: buffer[..<count], as: UTF8.self), received: .now)
            inbox.state.withLock { $0.messages.append(message) }
        }
        close(descriptor)
    }
}
