import Foundation
import Glibc

/// One request and its answer over a TCP connection of its own, run start to end on the
/// calling thread, which it blocks: ``SocketHTTPTransport`` gives it a thread of its own.
struct SocketHTTPExchange: Sendable {
    /// The request to send.
    let request: HTTPRequest
    /// Fired when the calling task is cancelled; every wait watches it.
    let cancellation: PollableSignal

    /// Runs the exchange, feeding the answer to `receiver`.
    func run(receiver: some HTTPResponseReceiver) -> Result<Void, HTTPTransportError> {
        Result { () throws(HTTPTransportError) in try perform(receiver: receiver) }
    }

    private func perform(receiver: some HTTPResponseReceiver) throws(HTTPTransportError) {
        let start = ContinuousClock.now
        let requestDeadline = Deadline(instant: start + request.timeout, failure: .timedOut(request.timeout))
        let connectDeadline = Deadline.earlier(
            Deadline(instant: start + request.connectTimeout, failure: .connectTimedOut(request.connectTimeout)),
            requestDeadline)
        let target = try HTTPTarget(request.url)

        let addresses = try HostResolver.resolve(
            host: target.host, port: target.port, deadline: connectDeadline, cancellation: cancellation)
        let socket = try TCPSocket.connect(to: addresses, until: connectDeadline, cancellation: cancellation)
        try socket.send(target.requestMessage(for: request), until: requestDeadline, cancellation: cancellation)

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: SocketHTTPTransport.readBufferSize, alignment: 1)
        defer { buffer.deallocate() }
        var parser = HTTPResponseParser()
        while true {
            let count = try socket.receive(into: buffer, until: requestDeadline, cancellation: cancellation)
            guard count > 0 else {
                try parser.finish()
                return
            }
            let progress = try parser.consume(UnsafeRawBufferPointer(rebasing: buffer[..<count]), receiver: receiver)
            if progress != .needsMoreBytes { return }
        }
    }
}

/// Where an `http://` URL points, and the HTTP/1.1 request message for it.
struct HTTPTarget: Equatable {
    /// The host name or address, IPv6 addresses without brackets.
    var host: String
    /// The TCP port: the URL's, or 80.
    var port: Int
    /// The `Host` field: the host (IPv6 in brackets), with the port unless it is 80.
    var hostField: String
    /// The request target: the percent-encoded path (at least `/`) and query.
    var path: String

    /// Takes an `http://` URL apart.
    ///
    /// - Throws: ``HTTPTransportError/connectFailed(reason:)`` when it has no host or its
    ///   port is out of range.
    init(_ url: URL) throws(HTTPTransportError) {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true),
              var host = components.host, !host.isEmpty
        else {
            throw .connectFailed(reason: "the URL has no host name")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? 80
        guard (1...65535).contains(port) else {
            throw .connectFailed(reason: "the port \(port) is out of range")
        }
        self.host = host
        self.port = port
        let bracketed = host.contains(":") ? "[\(host)]" : host
        hostField = port == 80 ? bracketed : "\(bracketed):\(port)"
        let encodedPath = components.percentEncodedPath
        path = (encodedPath.isEmpty ? "/" : encodedPath)
            + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    /// The request line, header fields and body of `request`, ready to send.
    func requestMessage(for request: HTTPRequest) -> [UInt8] {
        var head = "\(request.method.rawValue) \(path) HTTP/1.1\r\nHost: \(hostField)\r\n"
        for header in request.headers {
            head += "\(header.name): \(header.value)\r\n"
        }
        if request.method == .post || !request.body.isEmpty {
            head += "Content-Length: \(request.body.count)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        var message = Array(head.utf8)
        message.append(contentsOf: request.body)
        return message
    }
}
