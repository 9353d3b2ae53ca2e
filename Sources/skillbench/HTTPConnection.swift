import Foundation
import Glibc
import SystemCalls

/// A minimal blocking HTTP/1.1 client over one TCP connection, for sending the inference
/// server exactly the request the daemon sends, with nothing in between (no URLSession, no
/// thread hand-offs): the direct baseline of the inference figures; and the client of the
/// daemon's own HTTP API in figure 1.
///
/// Not `Sendable`: one thread uses it.
final class HTTPConnection {
    /// A response.
    struct Response {
        /// The status code.
        var status: Int
        /// The body, de-chunked.
        var body: [UInt8]
    }

    private let host: String
    private let port: UInt16
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    /// When the kept-alive connection was last used (``MonotonicClock``).
    private var lastUsed: UInt64 = 0
    /// Header lines sent with every request, each ending in CRLF.
    private let extraHeaders: String

    /// Idle time after which a kept-alive connection is not reused: uvicorn (llama.cpp's
    /// Python server) closes idle connections after 5 s, as URLSession's pool expects.
    private static let idleReuseLimit: UInt64 = 4_000_000_000

    /// A client of `url` (`http://HOST:PORT`) that sends `bearerToken` with every request
    /// when given; connects on first use.
    init(url: URL, bearerToken: String? = nil) throws(BenchError) {
        extraHeaders = bearerToken.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        guard url.scheme == "http", let host = url.host, let port = UInt16(exactly: url.port ?? 80) else {
            throw BenchError("the model server URL must be http://HOST:PORT, not \(url.absoluteString)")
        }
        self.host = host
        self.port = port
    }

    deinit {
        disconnect()
    }

    /// POSTs `body` (JSON) to `path` on the kept-alive connection (a new one when it was idle
    /// too long) and reads the whole response.
    func post(_ path: String, body: [UInt8]) throws(BenchError) -> Response {
        if fd >= 0, MonotonicClock.now() - lastUsed > Self.idleReuseLimit { disconnect() }
        if fd < 0 { try connect() }
        defer { lastUsed = MonotonicClock.now() }
        do {
            try send(request(path: path, body: body, keepAlive: true))
            return try readResponse()
        } catch {
            disconnect()
            throw error
        }
    }

    /// POSTs a streaming request (`"stream": true`) on a fresh connection and reads the
    /// server-sent events to the end.
    /// - Returns: the nanoseconds from sending to the arrival of the first `data: {` event
    ///   (the first token); nil when none came.
    func postStreaming(_ path: String, body: [UInt8]) throws(BenchError) -> UInt64? {
        disconnect()
        try connect()
        defer { disconnect() }
        let sent = MonotonicClock.now()
        try send(request(path: path, body: body, keepAlive: false))
        var first: UInt64?
        let marker = Array("data: {".utf8)
        while try fill() > 0 {
            if first == nil, buffer.firstRange(of: marker) != nil { first = MonotonicClock.now() - sent }
            // Keep what could be the start of a marker split across two reads.
            buffer.removeFirst(max(buffer.count - (marker.count - 1), 0))
        }
        return first
    }

    // MARK: Wire

    private func request(path: String, body: [UInt8], keepAlive: Bool) -> [UInt8] {
        var head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n"
        head += extraHeaders + "Accept: */*\r\nContent-Length: \(body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        return Array(head.utf8) + body
    }

    private func connect() throws(BenchError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw BenchError("cannot resolve \(host):\(port)")
        }
        defer { freeaddrinfo(found) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            let socket = Glibc.socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if socket >= 0 {
                if Glibc.connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    fd = socket
                    buffer.removeAll()
                    return
                }
                close(socket)
            }
            entry = address.pointee.ai_next
        }
        throw BenchError("cannot connect to the model server at \(host):\(port): \(String(cString: strerror(errno)))")
    }

    private func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer.removeAll()
    }

    private func send(_ bytes: [UInt8]) throws(BenchError) {
        let sent = FileDescriptor.withUnowned(fd) { socket in
            bytes.withUnsafeBytes { buffer in Result { () throws(SystemCallError) in try socket.sendAll(buffer) } }
        }
        if case let .failure(error) = sent { throw BenchError("cannot send to the model server: \(error.errno)") }
    }

    /// Reads what is available into `buffer`; returns the count (0 at end of stream).
    private func fill() throws(BenchError) -> Int {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        do throws(SystemCallError) {
            let count = try retryingOnInterrupt("recv") { chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) } }
            buffer += chunk[..<count]
            return count
        } catch {
            throw BenchError("cannot read from the model server: \(error.errno)")
        }
    }

    /// Reads until `buffer` holds `\r\n` and returns the line before it.
    private func readLine() throws(BenchError) -> String {
        let crlf: [UInt8] = [13, 10]
        while true {
            if let range = buffer.firstRange(of: crlf) {
                let line = String(decoding: buffer[..<range.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<range.upperBound)
                return line
            }
            guard try fill() > 0 else { throw BenchError("the model server closed the connection mid-response") }
        }
    }

    private func readBytes(_ count: Int) throws(BenchError) -> [UInt8] {
        while buffer.count < count {
            guard try fill() > 0 else { throw BenchError("the model server closed the connection mid-body") }
        }
        let bytes = Array(buffer[..<count])
        buffer.removeSubrange(..<count)
        return bytes
    }

    private func readResponse() throws(BenchError) -> Response {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw BenchError("the model server answered with a malformed status line: \(statusLine)")
        }
        var headers: [String: String] = [:]
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                    throw BenchError("the model server sent a malformed chunk size: \(sizeLine)")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                body += try readBytes(size)
                _ = try readLine()
            }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            body = try readBytes(length)
        } else {
            while try fill() > 0 {}
            body = buffer
            disconnect()
        }
        if headers["connection"]?.lowercased() == "close" { disconnect() }
        return Response(status: status, body: body)
    }
}
