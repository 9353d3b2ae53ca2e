import Foundation
import Testing
@testable import InferenceDriver

/// The event stream parser, fed by hand in pieces of every size.
@Suite("Server-sent event parser")
struct ServerSentEventParserTests {
    /// The events of `stream` fed in pieces of `pieceSize` bytes.
    private func events(of stream: String, pieceSize: Int) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        let bytes = Array(stream.utf8)
        var events: [ServerSentEvent] = []
        for start in stride(from: 0, to: bytes.count, by: pieceSize) {
            events += try parser.parse(bytes[start..<min(start + pieceSize, bytes.count)])
        }
        return events
    }

    @Test func eventsSplitAcrossReadsOfEverySize() throws {
        let stream = ": a comment\n\ndata: {\"n\": 1}\n\ndata: {\"n\": 2}\n\ndata: [DONE]\n\n"
        for size in 1...stream.utf8.count {
            #expect(try events(of: stream, pieceSize: size).map(\.data) == [#"{"n": 1}"#, #"{"n": 2}"#, "[DONE]"],
                    "piece size \(size)")
        }
    }

    @Test func everyLineEndingIsAccepted() throws {
        // CR LF (split between pieces for some sizes), lone CR, and LF, mixed.
        let stream = "data: one\r\n\r\ndata: two\r\rdata: three\n\ndata: four\r\n\n"
        for size in 1...stream.utf8.count {
            #expect(try events(of: stream, pieceSize: size).map(\.data) == ["one", "two", "three", "four"],
                    "piece size \(size)")
        }
    }

    @Test func multiLineDataJoinsWithLineFeeds() throws {
        let stream = "data: first\ndata:second\ndata\ndata:  indented\n\n"
        #expect(try events(of: stream, pieceSize: 3) == [ServerSentEvent(data: "first\nsecond\n\n indented")])
    }

    @Test func commentsAndUnknownFieldsAreIgnoredAndEmptyEventsNotDispatched() throws {
        let stream = ":keep-alive\n\nretry: 1000\nfoo: bar\n\n: only a comment\n\ndata: x\n\n"
        #expect(try events(of: stream, pieceSize: 5) == [ServerSentEvent(data: "x")])
    }

    @Test func eventTypeAndIDAreKept() throws {
        let stream = "event: update\nid: 7\ndata: a\n\ndata: b\n\n"
        #expect(try events(of: stream, pieceSize: 2) == [
            ServerSentEvent(type: "update", data: "a", lastEventID: "7"),
            ServerSentEvent(type: "message", data: "b", lastEventID: "7"),
        ])
    }

    @Test func leadingByteOrderMarkIsSkipped() throws {
        #expect(try events(of: "\u{FEFF}data: bom\n\n", pieceSize: 1) == [ServerSentEvent(data: "bom")])
    }

    @Test func unfinishedEventIsNotDispatched() throws {
        #expect(try events(of: "data: complete\n\ndata: cut off\n", pieceSize: 4).map(\.data) == ["complete"])
    }

    @Test func multibyteCharactersSplitAcrossReadsSurvive() throws {
        let stream = "data: héllo 🦊 wörld\n\n"
        for size in 1...6 {
            #expect(try events(of: stream, pieceSize: size).map(\.data) == ["héllo 🦊 wörld"], "piece size \(size)")
        }
    }

    @Test func endlessLineIsRefused() {
        var parser = ServerSentEventParser()
        let line = [UInt8](repeating: UInt8(ascii: "a"), count: ServerSentEventParser.lineLimit + 1)
        #expect(throws: ServerSentEventParser.LineTooLong.self) { _ = try parser.parse(line) }
    }

    @Test func eventsBeforeAnEndlessLineAreKept() {
        var parser = ServerSentEventParser()
        let bytes = Array("data: whole\n\n".utf8)
            + [UInt8](repeating: UInt8(ascii: "a"), count: ServerSentEventParser.lineLimit + 1)
        do throws(ServerSentEventParser.LineTooLong) {
            _ = try parser.parse(bytes)
            Issue.record("the endless line must be refused")
        } catch {
            #expect(error.completedEvents.map(\.data) == ["whole"])
        }
    }
}
