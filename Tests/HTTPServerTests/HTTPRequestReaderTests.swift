import HTTPServer
import Testing

@Suite("HTTPRequestReader: framing, limits and malformed input")
struct HTTPRequestReaderTests {
    @Test("a GET is read with its method, decoded path, raw query, version and headers")
    func simpleGet() throws {
        let outcome = readAll("GET /v1/skills/a%20b?limit=5&x=%2e HTTP/1.1\r\nHost: example\r\nX-Thing:  spaced value \r\n\r\n")
        #expect(outcome.error == nil)
        let request = try #require(outcome.requests.first)
        #expect(request.method == "GET")
        #expect(request.path == "/v1/skills/a b")
        #expect(request.query == "limit=5&x=%2e")
        #expect(request.version == .http1_1)
        #expect(request.headers["x-thing"] == "spaced value")
        #expect(request.body.isEmpty)
        #expect(request.wantsKeepAlive)
    }

    @Test("pipelined requests in one read are read one after the other, bodies and all")
    func pipelined() {
        let text = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /three HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            + "GET /four HTTP/1.0\r\n\r\n"
        let outcome = readAll(text)
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.path) == ["/one", "/two", "/three", "/four"])
        #expect(outcome.requests.map { String(decoding: $0.body, as: UTF8.self) } == ["", "hello", "abc", ""])
        #expect(outcome.requests.map(\.wantsKeepAlive) == [true, true, true, false])
    }

    @Test("a request that arrives a byte at a time is read whole, bare LF line ends and leading empty lines too")
    func byteByByte() {
        let text = "\r\nPUT /x HTTP/1.1\nHost: h\nContent-Length: 3\n\nabc"
        let outcome = readAll(MemoryByteSource(text.utf8.map { [$0] }))
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.method) == ["PUT"])
        #expect(outcome.requests.first?.body == Array("abc".utf8))
    }

    @Test("Connection decides keep-alive: HTTP/1.1 unless close, HTTP/1.0 only with keep-alive")
    func keepAlive() {
        let outcome = readAll("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
            + "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n" + "GET / HTTP/1.0\r\n\r\n")
        #expect(outcome.requests.map(\.wantsKeepAlive) == [false, true, false])
    }

    @Test("a head over the limit is refused with 431, however it arrives")
    func headTooLarge() {
        let limits = HTTPServerLimits(maximumHeadBytes: 1024)
        let long = "GET / HTTP/1.1\r\nHost: h\r\nX-Long: \(String(repeating: "a", count: 2000))\r\n\r\n"
        #expect(readAll(long, limits: limits).error == .headTooLarge(limit: 1024))
        let unterminated = MemoryByteSource([Array(String(repeating: "b", count: 5000).utf8)], stallsAtEnd: true)
        #expect(readAll(unterminated, limits: limits).error == .headTooLarge(limit: 1024))
        #expect(HTTPRequestError.headTooLarge(limit: 1).status.code == 431)
    }

    @Test("more header fields than the limit are refused with 431")
    func tooManyHeaders() {
        let limits = HTTPServerLimits(maximumHeaderCount: 10)
        let fields = (0..<11).map { "X-\($0): v\r\n" }.joined()
        #expect(readAll("GET / HTTP/1.1\r\nHost: h\r\n\(fields)\r\n", limits: limits).error == .tooManyHeaders(limit: 10))
        let fitting = (0..<9).map { "X-\($0): v\r\n" }.joined()
        #expect(readAll("GET / HTTP/1.1\r\nHost: h\r\n\(fitting)\r\n", limits: limits).error == nil)
    }

    @Test("malformed request lines are refused with 400, other HTTP versions with 505",
          arguments: [
              ("GET /\r\n\r\n", 400), ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400), ("GET / HTTP/1.1 x\r\nHost: h\r\n\r\n", 400),
              ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400), ("GET / FTP/1.1\r\n\r\n", 400), ("GET / HTTP/2.0\r\n\r\n", 505),
              ("GET / HTTP/0.9\r\n\r\n", 505), ("GET /a\u{7F}b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
          ])
    func malformedRequestLine(text: String, status: Int) {
        #expect(readAll(text).error?.status.code == status)
    }

    @Test("malformed header lines are refused with 400",
          arguments: [
              "GET / HTTP/1.1\r\nHost: h\r\nX-Folded: a\r\n b\r\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\nX-Space : a\r\n\r\n",
              "GET / HTTP/1.1\r\nHost: h\r\nno colon\r\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n",
              "GET / HTTP/1.1\r\nHost: h\r\nX-Control: a\u{1}b\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
              "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
          ])
    func malformedHeader(text: String) {
        #expect(readAll(text).error?.status.code == 400)
    }

    @Test("Content-Length: over the limit 413 before the body is read; not a number, or two different, 400")
    func contentLength() {
        let limits = HTTPServerLimits(maximumBodyBytes: 100)
        let over = MemoryByteSource("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", stallsAtEnd: true)
        #expect(readAll(over, limits: limits).error == .bodyTooLarge(limit: 100))
        #expect(readAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n").error == .invalidContentLength)
        #expect(readAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1a\r\n\r\n").error == .invalidContentLength)
        #expect(readAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n").error == .invalidContentLength)
        #expect(readAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab").error == .invalidContentLength)
        let same = readAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab")
        #expect(same.requests.first?.body == Array("ab".utf8))
        #expect(HTTPRequestError.bodyTooLarge(limit: 1).status.code == 413)
    }

    @Test("a body cut short by the end of the stream is 400; by a client that stops sending, 408")
    func incompleteBody() {
        #expect(readAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc").error == .incompleteBody)
        let stalled = MemoryByteSource("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc", stallsAtEnd: true)
        #expect(readAll(stalled).error?.status.code == 408)
    }

    @Test("a chunked body is de-chunked, with chunk extensions and trailers")
    func chunked() {
        let text = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n1 \r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
        let outcome = readAll(text)
        #expect(outcome.error == nil)
        #expect(outcome.requests.first.map { String(decoding: $0.body, as: UTF8.self) } == "hello 0123456789")
    }

    @Test("broken chunked bodies are refused with 400",
          arguments: [
              "zz\r\nhello\r\n0\r\n\r\n", "\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n",
              "0x5\r\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n", "5\r\nhel", "1000000000000000\r\nx\r\n0\r\n\r\n",
              "\(String(repeating: "0", count: 2000))1\r\na\r\n0\r\n\r\n", "0\r\nbad trailer\r\n\r\n",
          ])
    func brokenChunks(body: String) {
        let outcome = readAll("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
        #expect(outcome.error?.status.code == 400, "\(String(describing: outcome.error))")
    }

    @Test("a chunked body that stops before its last chunk times out with 408")
    func missingFinalChunk() {
        let source = MemoryByteSource("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", stallsAtEnd: true)
        let limits = HTTPServerLimits(requestTimeout: .seconds(3))
        #expect(readAll(source, limits: limits).error == .timedOut(limit: .seconds(3)))
    }

    @Test("chunks adding up to more than the body limit are refused with 413")
    func chunkedTooLarge() {
        let limits = HTTPServerLimits(maximumBodyBytes: 8)
        let text = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"
        #expect(readAll(text, limits: limits).error == .bodyTooLarge(limit: 8))
    }

    @Test("Transfer-Encoding other than chunked is 501; with Content-Length too, 400")
    func transferEncoding() {
        #expect(readAll("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").error?.status.code == 501)
        #expect(readAll("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n").error?.status.code == 501)
        let both = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"
        #expect(readAll(both).error == .conflictingBodyLengths)
    }

    @Test("Expect: 100-continue asks for the body once, unless it has started arriving; other expectations are 417")
    func expectContinue() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
        let waiting = readAll(MemoryByteSource([Array(head.utf8), Array("abc".utf8)]))
        #expect(waiting.continuesSent == 1)
        #expect(waiting.requests.first?.body == Array("abc".utf8))
        #expect(readAll(head + "abc").continuesSent == 0)
        #expect(readAll("GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n").continuesSent == 0)
        #expect(readAll("POST / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\nContent-Length: 1\r\n\r\na").error?.status.code == 417)
    }

    @Test("dot segments, plain or percent-encoded, are refused with 400, never resolved",
          arguments: ["/a/../b", "/..", "/a/.", "/./a", "/%2e%2e/etc/passwd", "/a/%2E%2e/b", "/.%2e/x", "/%2e/x", "/a/..?q=1"])
    func dotSegments(path: String) {
        #expect(readAll("GET \(path) HTTP/1.1\r\nHost: h\r\n\r\n").error == .dotSegment)
    }

    @Test("targets the server cannot serve are refused with 400",
          arguments: ["/a%2Fb", "/a%00b", "/a%zz", "/a%2", "/a#frag", "http://h/a", "a/b", "/%ff%fe"])
    func invalidTargets(target: String) {
        let error = readAll("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n").error
        #expect(error?.status.code == 400, "\(String(describing: error))")
    }

    @Test("dots that are not whole segments are part of the path")
    func dotsInNames() {
        let outcome = readAll("GET /a/..b/.c/%2e%2e%2e HTTP/1.1\r\nHost: h\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(outcome.requests.map(\.path) == ["/a/..b/.c/...", "*"])
    }

    @Test("a client that sends its head too slowly times out with 408; one that sends nothing is let go without an answer")
    func timeouts() {
        let slow = MemoryByteSource("GET / HTTP/1.1\r\nHo".utf8.map { [$0] }, stallsAtEnd: true)
        #expect(readAll(slow).error?.status.code == 408)
        let idle = readAll(MemoryByteSource([], stallsAtEnd: true))
        #expect(idle.requests.isEmpty && idle.error == nil)
        let idleAfterOne = readAll(MemoryByteSource("GET / HTTP/1.1\r\nHost: h\r\n\r\n", stallsAtEnd: true))
        #expect(idleAfterOne.requests.count == 1 && idleAfterOne.error == nil)
    }
}

@Suite("HTTPListenAddress")
struct HTTPListenAddressTests {
    @Test("host:port and [v6]:port are read; the rest is refused with a reason")
    func parsing() throws {
        #expect(try HTTPListenAddress(parsing: "127.0.0.1:8080") == HTTPListenAddress(host: "127.0.0.1", port: 8080))
        #expect(try HTTPListenAddress(parsing: "[::1]:0") == HTTPListenAddress(host: "::1", port: 0))
        #expect(try HTTPListenAddress(parsing: "localhost:65535").description == "localhost:65535")
        #expect(HTTPListenAddress(host: "::", port: 80).description == "[::]:80")
        for bad in ["8080", ":8080", "::1:80", "[::1]80", "h:65536", "h:", "h:-1", "h:8o"] {
            #expect(throws: HTTPServerError.self, "\(bad)") { try HTTPListenAddress(parsing: bad) }
        }
    }
}
