import Foundation
import Synchronization
import Testing
@testable import InferenceDriver

/// A receiver that records what it is given, and can stop after some body bytes.
final class RecordingReceiver: HTTPResponseReceiver {
    private let recorded = Mutex<(heads: [HTTPResponseHead], body: [UInt8])>(([], []))
    private let stopAfterBodyBytes: Int?

    init(stopAfterBodyBytes: Int? = nil) {
        self.stopAfterBodyBytes = stopAfterBodyBytes
    }

    func receive(head: HTTPResponseHead) -> HTTPReceiveDecision {
        recorded.withLock { $0.heads.append(head) }
        return .proceed
    }

    func receive(body bytes: UnsafeRawBufferPointer) -> HTTPReceiveDecision {
        let count = recorded.withLock { recorded in
            recorded.body.append(contentsOf: bytes)
            return recorded.body.count
        }
        return stopAfterBodyBytes.map { count >= $0 } == true ? .stop : .proceed
    }

    var heads: [HTTPResponseHead] { recorded.withLock { $0.heads } }
    var body: String { recorded.withLock { String(decoding: $0.body, as: UTF8.self) } }
}

/// The incremental HTTP/1.1 response parser, fed by hand in pieces of every size.
@Suite("HTTP response parser")
struct HTTPResponseParserTests {
    /// Feeds `message` in pieces of `pieceSize` bytes, then end of file if `closes`.
    private func parse(
        _ message: String, pieceSize: Int, closes: Bool = false, receiver: RecordingReceiver = RecordingReceiver()
    ) -> (Result<HTTPResponseParser.Progress, HTTPTransportError>, RecordingReceiver) {
        var parser = HTTPResponseParser()
        let bytes = Array(message.utf8)
        var progress = HTTPResponseParser.Progress.needsMoreBytes
        do throws(HTTPTransportError) {
            var offset = 0
            while offset < bytes.count, progress == .needsMoreBytes {
                let piece = Array(bytes[offset..<min(offset + pieceSize, bytes.count)])
                progress = try piece.withUnsafeBytes { buffer in
                    Result { () throws(HTTPTransportError) in try parser.consume(buffer, receiver: receiver) }
                }.get()
                offset += pieceSize
            }
            if closes, progress == .needsMoreBytes {
                try parser.finish()
                progress = .complete
            }
            return (.success(progress), receiver)
        } catch {
            return (.failure(error), receiver)
        }
    }

    @Test func contentLengthBodyInPiecesOfEverySize() {
        let message = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\": true}trailing junk"
        for size in 1...message.utf8.count {
            let (result, receiver) = parse(message, pieceSize: size)
            #expect(result == .success(.complete), "piece size \(size)")
            #expect(receiver.body == "{\"a\": true}", "piece size \(size)")
            #expect(receiver.heads == [HTTPResponseHead(status: 200, headers: [
                HTTPHeader(name: "Content-Type", value: "application/json"),
                HTTPHeader(name: "Content-Length", value: "11"),
            ])])
        }
    }

    @Test func chunkedBodyInPiecesOfEverySize() {
        let message = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n1;name=value\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n"
        for size in 1...message.utf8.count {
            let (result, receiver) = parse(message, pieceSize: size)
            #expect(result == .success(.complete), "piece size \(size)")
            #expect(receiver.body == "hello 0123456789", "piece size \(size)")
        }
    }

    @Test func bareLineFeedsAreAccepted() {
        let message = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n"
        let (result, receiver) = parse(message, pieceSize: 4)
        #expect(result == .success(.complete))
        #expect(receiver.body == "abc")
    }

    @Test func bodyWithoutLengthEndsWithTheConnection() {
        let message = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it"
        let (result, receiver) = parse(message, pieceSize: 3, closes: true)
        #expect(result == .success(.complete))
        #expect(receiver.body == "all of it")
    }

    @Test func interimResponsesAreSkippedAndEmptyBodiesEndAtOnce() {
        let message = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"
        let (result, receiver) = parse(message, pieceSize: 7)
        #expect(result == .success(.complete))
        #expect(receiver.heads.map(\.status) == [204])
    }

    @Test func aFloodOfInterimResponsesIsRefused() {
        let flood = String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 5_000) + "HTTP/1.1 204 No Content\r\n\r\n"
        let (result, receiver) = parse(flood, pieceSize: 64 * 1024)
        guard case let .failure(.malformedResponse(reason)) = result else {
            Issue.record("expected a malformed response, got \(result)")
            return
        }
        #expect(reason.contains("more than 16 interim (1xx) responses"))
        #expect(receiver.heads.isEmpty)
    }

    @Test func foldedHeaderLinesJoinTheirField() {
        let (_, receiver) = parse("HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\nContent-Length: 0\r\n\r\n", pieceSize: 100)
        #expect(receiver.heads.first?.value(of: "x-long") == "one two")
    }

    @Test func receiverCanStopTheBody() {
        let receiver = RecordingReceiver(stopAfterBodyBytes: 4)
        let message = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n2\r\nef\r\n0\r\n\r\n"
        let (result, _) = parse(message, pieceSize: message.utf8.count, receiver: receiver)
        #expect(result == .success(.stopped))
        #expect(receiver.body == "abcd")
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "the server closed the connection before the answer was complete"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "the server closed the connection before the answer was complete"),
        ("HTTP/1.1 200 OK\r\nContent-", "the server closed the connection before the answer was complete"),
        ("", "the server closed the connection without answering"),
    ])
    func connectionClosedEarlyIsALostConnection(message: String, reason: String) {
        let (result, _) = parse(message, pieceSize: 8, closes: true)
        #expect(result == .failure(.connectionLost(reason: reason)))
    }

    @Test(arguments: [
        ("SSH-2.0-OpenSSH_9.2\r\n\r\n", "the status line is \"SSH-2.0-OpenSSH_9.2\""),
        ("HTTP/1.1 2000 OK\r\n\r\n", "not \"HTTP/1.x <status> <reason>\""),
        ("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "the header line \"no colon here\""),
        ("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "the header line \"Bad Name: x\""),
        ("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "is not one number"),
        ("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", "is not one number"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a chunk size is not a hexadecimal number: \"zz\""),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\n", "a chunk size is not a hexadecimal number"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "a chunk's data is not followed by CRLF"),
        ("HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched protocols"),
    ])
    func malformedAnswersAreExplained(message: String, expectedReason: String) {
        let (result, _) = parse(message, pieceSize: 5, closes: false)
        guard case let .failure(.malformedResponse(reason)) = result else {
            Issue.record("expected .malformedResponse, got \(result)")
            return
        }
        #expect(reason.contains(expectedReason), "reason: \(reason)")
    }

    @Test func endlessHeadIsRefused() {
        let message = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 4000)
        let (result, _) = parse(message, pieceSize: 4096)
        #expect(result == .failure(.malformedResponse(reason: "the status line and header fields exceed 65536 bytes")))
    }

    @Test func requestMessageNamesHostPathAndLength() throws {
        let request = HTTPRequest(
            method: .post, url: URL(string: "http://[::1]:8080/base/v1/completions?x=a%20b")!,
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            body: Data("{}".utf8), connectTimeout: .seconds(1), timeout: .seconds(1))
        let target = try HTTPTarget(request.url)
        #expect(target.host == "::1")
        #expect(target.port == 8080)
        #expect(String(decoding: target.requestMessage(for: request), as: UTF8.self) ==
            "POST /base/v1/completions?x=a%20b HTTP/1.1\r\nHost: [::1]:8080\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2\r\nConnection: close\r\n\r\n{}")
        let get = try HTTPTarget(URL(string: "http://example.org")!)
        #expect(get.hostField == "example.org" && get.port == 80 && get.path == "/")
    }
}
