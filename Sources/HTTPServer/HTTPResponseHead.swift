import Glibc

/// The status line and header fields of a response, as sent.
enum HTTPResponseHead {
    /// How the body that follows the head is framed.
    enum Framing {
        case length(Int)
        case chunked
        /// The body ends when the connection closes (a stream to an HTTP/1.0 client).
        case untilClose
    }

    /// The head of `response`, with the server's framing, `Connection` and `Date` fields.
    static func bytes(of response: HTTPResponse, framing: Framing, keepAlive: Bool, clientVersion: HTTPVersion) -> [UInt8] {
        var headers = response.headers
        for name in ["Content-Length", "Transfer-Encoding", "Connection", "Date"] { headers.remove(named: name) }
        var text = "HTTP/1.1 \(response.status.code) \(response.status.reason)\r\nDate: \(httpDate())\r\n"
        for field in headers { text += "\(field.name): \(field.value)\r\n" }
        // A 1xx, 204 or 304 has no body, and so no field that frames one.
        let hasNoBody = response.status.code < 200 || response.status.code == 204 || response.status.code == 304
        switch framing {
        case _ where hasNoBody: break
        case .length(let length): text += "Content-Length: \(length)\r\n"
        case .chunked: text += "Transfer-Encoding: chunked\r\n"
        case .untilClose: break
        }
        if !keepAlive {
            text += "Connection: close\r\n"
        } else if clientVersion == .http1_0 {
            text += "Connection: keep-alive\r\n"
        }
        return Array((text + "\r\n").utf8)
    }

    /// The whole answer to a request that could not be read, or that the server will not
    /// serve: `text` as a `text/plain` body, and the connection closed.
    static func refusal(_ status: HTTPStatus, _ text: String, extraHeaders: HTTPHeaders = [:]) -> [UInt8] {
        var response = HTTPResponse.text(text, status: status)
        for field in extraHeaders { response.headers.append(name: field.name, value: field.value) }
        guard case .bytes(let body) = response.body else { return [] }
        return bytes(of: response, framing: .length(body.count), keepAlive: false, clientVersion: .http1_1) + body
    }

    /// Now, as an IMF-fixdate: "Fri, 04 Dec 2026 20:15:00 GMT".
    private static func httpDate() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(1900 + parts.tm_year) "
            + "\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) GMT"
    }
}
