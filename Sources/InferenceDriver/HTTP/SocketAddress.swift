import Glibc

/// One address `getaddrinfo(3)` found for a host and port: what `socket(2)` and
/// `connect(2)` need.
struct SocketAddress: Sendable, Equatable {
    /// The address family, `AF_INET` or `AF_INET6`.
    var family: Int32
    /// The protocol number for `socket(2)`.
    var protocolNumber: Int32
    /// The bytes of the `sockaddr_in` or `sockaddr_in6`.
    var bytes: [UInt8]

    /// Copies the addresses of a `getaddrinfo` result list, in its order.
    static func addresses(of list: UnsafeMutablePointer<addrinfo>?) -> [SocketAddress] {
        var addresses: [SocketAddress] = []
        var entry = list
        while let info = entry?.pointee {
            if let address = info.ai_addr, info.ai_addrlen > 0 {
                let raw = UnsafeRawBufferPointer(start: address, count: Int(info.ai_addrlen))
                addresses.append(SocketAddress(family: info.ai_family, protocolNumber: info.ai_protocol,
                                               bytes: Array(raw)))
            }
            entry = info.ai_next
        }
        return addresses
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    func withSocketAddress<Result>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result
    ) -> Result {
        bytes.withUnsafeBytes { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
    }
}
