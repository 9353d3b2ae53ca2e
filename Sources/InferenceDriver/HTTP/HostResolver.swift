import Foundation
import Glibc
import Synchronization
import SystemCalls

/// Name resolution with `getaddrinfo(3)` that a deadline and a cancellation can cut short.
///
/// `getaddrinfo` blocks and cannot be interrupted, so names (as opposed to numeric
/// addresses, resolved on the spot) are resolved on a thread of their own while the
/// caller waits in `poll(2)` for the result, the deadline or the cancellation. A resolver
/// thread whose caller gave up finishes on its own and drops its result.
enum HostResolver {
    /// The addresses of `host` (a name, or an IPv4 or IPv6 address without brackets) for
    /// TCP to `port`, in the order to try them.
    ///
    /// - Throws: ``HTTPTransportError/unknownHost(_:reason:)`` when the name does not
    ///   resolve, `deadline`'s failure, ``HTTPTransportError/cancelled``, or
    ///   ``HTTPTransportError/ioFailed(reason:)`` when no resolver thread can start.
    static func resolve(
        host: String, port: Int, deadline: Deadline, cancellation: PollableSignal
    ) throws(HTTPTransportError) -> [SocketAddress] {
        if case let .success(addresses) = lookUp(host: host, port: port, numericOnly: true) {
            return addresses
        }
        // A name, not an address literal: resolve it on a thread of its own.
        let lookup = PendingLookup()
        let signal: PollableSignal
        do {
            signal = try PollableSignal()
        } catch {
            throw .ioFailed(reason: "cannot resolve \"\(host)\": \(error)")
        }
        let thread = Thread {
            let result = lookUp(host: host, port: port, numericOnly: false)
            lookup.result.withLock { $0 = result }
            signal.fire()
        }
        thread.name = "skillhost-dns"  // Linux keeps at most 15 characters
        thread.start()
        try Readiness.wait(for: signal.fileDescriptor, events: POLLIN, until: deadline, cancellation: cancellation)
        guard let result = lookup.result.withLock({ $0 }) else {
            throw .ioFailed(reason: "the resolver thread for \"\(host)\" signalled no result")
        }
        return try result.get()
    }

    /// The result a resolver thread hands over to the thread that waits for it.
    private final class PendingLookup: Sendable {
        let result = Mutex<Result<[SocketAddress], HTTPTransportError>?>(nil)
    }

    /// Calls `getaddrinfo` (numeric addresses only when `numericOnly`).
    private static func lookUp(
        host: String, port: Int, numericOnly: Bool
    ) -> Result<[SocketAddress], HTTPTransportError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (numericOnly ? AI_NUMERICHOST : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        guard status == 0 else {
            let reason = status == EAI_SYSTEM
                ? Errno.current.description
                : String(cString: gai_strerror(status))
            return .failure(.unknownHost(host, reason: reason))
        }
        let addresses = SocketAddress.addresses(of: list)
        guard !addresses.isEmpty else {
            return .failure(.unknownHost(host, reason: "it has no address"))
        }
        return .success(addresses)
    }
}
