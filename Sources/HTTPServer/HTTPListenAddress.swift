/// Where an ``HTTPServer`` listens: a host (an IPv4 or IPv6 address, or a name resolved when
/// the server starts) and a port, written `host:port` or `[v6]:port`; port 0 picks any
/// free port.
public struct HTTPListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host, without brackets: "127.0.0.1", "::1", "localhost".
    public let host: String
    /// The port; 0 for any free one.
    public let port: UInt16

    /// The address `host` and `port`.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// The address written `host:port`, or `[v6]:port`.
    /// - Throws: ``HTTPServerError/invalidListenAddress(_:reason:)`` saying what is wrong.
    public init(parsing text: String) throws(HTTPServerError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .invalidListenAddress(text, reason: "an IPv6 address is written [address]:port")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw .invalidListenAddress(text, reason: "it is not host:port (127.0.0.1:8080, [::1]:8080)")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            guard !hostPart.contains(":") else {
                throw .invalidListenAddress(text, reason: "an IPv6 address is written in brackets: [address]:port")
            }
        }
        guard !hostPart.isEmpty else { throw .invalidListenAddress(text, reason: "the host is missing (0.0.0.0 is every IPv4 address)") }
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), portPart.allSatisfy(\.isNumber), let port = UInt16(portPart) else {
            throw .invalidListenAddress(text, reason: "the port must be a number from 0 to 65535")
        }
        self.init(host: String(hostPart), port: port)
    }

    /// `host:port`, or `[host]:port` for an IPv6 address.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
