import Foundation
import Glibc
import JSON
import JSONRPC
import Testing

/// The methods the server tests call.
struct TestHandler: JSONRPCMethodHandler {
    /// Reports what handlers did: "started <tag>", "cancelled <tag>", "notified <tag>".
    let events: AsyncStream<String>.Continuation

    func handle(_ call: JSONRPCCall) async throws(JSONRPCError) -> JSONValue {
        let params = JSONRPCParams(call.params)
        switch call.method {
        case "echo":
            return call.params ?? .null
        case "add":
            return .int(try params.required("a", as: Int64.self) + params.required("b", as: Int64.self))
        case "sleep":
            let milliseconds = try params.required("ms", as: Int64.self)
            try? await Task.sleep(for: .milliseconds(milliseconds))
            return .string("slept \(milliseconds)")
        case "wait":
            let tag = try params.required("tag", as: String.self)
            events.yield("started \(tag)")
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                events.yield("cancelled \(tag)")
                throw .internalError("cancelled")
            }
            return "waited"
        case "record":
            events.yield("notified \(try params.required("tag", as: String.self))")
            return .null
        case "whoami":
            guard let peer = call.caller.process else { throw JSONRPCError.internalError("a socket's caller is a process") }
            return ["uid": .int(Int64(peer.uid)), "gid": .int(Int64(peer.gid)), "pid": .int(Int64(peer.pid))]
        case "fail":
            throw JSONRPCError(code: -32001, kind: "not_found", message: "no such run", extra: ["run_id": 7])
        case "flood":
            // `lanes` tasks at once, each notifying `count` chunks numbered from lane × count.
            let count = try params.required("count", as: Int64.self)
            let lanes = try params.optional("lanes", as: Int64.self) ?? 1
            let text = String(repeating: "x", count: Int(try params.required("size", as: Int64.self)))
            await withTaskGroup(of: Void.self) { group in
                for lane in 0..<lanes {
                    group.addTask {
                        for index in lane * count..<(lane + 1) * count {
                            call.connection.notify(method: "chunk", params: ["index": .int(index), "text": .string(text)])
                        }
                    }
                }
            }
            return .int(count * lanes)
        case "notify_me":
            call.connection.notify(method: "progress", params: ["done": 1])
            return .bool(call.connection.isOpen)
        default:
            throw .methodNotFound(call.method)
        }
    }
}

/// A running server in a temporary directory, and the events its handler reports.
final class TestServer: Sendable {
    let directory: TemporaryDirectory
    let server: JSONRPCServer
    let events: AsyncStream<String>

    init(limits: JSONRPCServerLimits = JSONRPCServerLimits()) throws {
        directory = try TemporaryDirectory()
        let (events, continuation) = AsyncStream.makeStream(of: String.self)
        self.events = events
        server = JSONRPCServer(socketPath: directory.file("s.sock"), handler: TestHandler(events: continuation),
                               limits: limits)
        try server.start()
    }

    var socketPath: String { server.socketPath }

    func rawClient() throws -> RawClient { try RawClient(path: socketPath) }

    /// The next event the handler reports, or `nil` after 10 s.
    func nextEvent() async -> String? {
        await withTimeout(.seconds(10)) { [events] in
            var iterator = events.makeAsyncIterator()
            return await iterator.next()
        } ?? nil
    }

    func stop() async {
        await server.shutdown(grace: .milliseconds(200))
        directory.remove()
    }
}

@Suite("JSON-RPC server over a Unix socket")
struct JSONRPCServerTests {
    @Test("answers a request, with the peer's real credentials")
    func answers() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send(#"{"jsonrpc":"2.0","method":"whoami","id":1}"#)
        let response = await client.nextJSON()
        #expect(response?["id"] == 1)
        #expect(response?["result"]?["uid"]?.int64Value == Int64(getuid()))
        #expect(response?["result"]?["pid"]?.int64Value == Int64(getpid()))
        await server.stop()
    }

    @Test("each standard error code, on the wire", arguments: [
        ("{\"jsonrpc\":", JSONValue.null, -32700, "parse_error"),
        (#"{"jsonrpc":"1.0","method":"echo","id":2}"#, 2, -32600, "invalid_request"),
        (#"{"jsonrpc":"2.0","method":"nope","id":3}"#, 3, -32601, "method_not_found"),
        (#"{"jsonrpc":"2.0","method":"add","params":{"a":1},"id":4}"#, 4, -32602, "invalid_params"),
        (#"{"jsonrpc":"2.0","method":"fail","id":"five"}"#, "five", -32001, "not_found"),
        ("[]", nil, -32600, "invalid_request"),
    ] as [(String, JSONValue, Int64, String)])
    func errors(line: String, id: JSONValue, code: Int64, kind: String) async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send(line)
        let response = try #require(await client.nextJSON())
        #expect(response["jsonrpc"] == "2.0")
        #expect(response["id"] == id)
        #expect(response["error"]?["code"]?.int64Value == code)
        #expect(response["error"]?["data"]?["kind"]?.stringValue == kind)
        #expect(response["result"] == nil)
        await server.stop()
    }

    @Test("domain errors keep their extra data")
    func domainError() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send(#"{"jsonrpc":"2.0","method":"fail","id":1}"#)
        let response = await client.nextJSON()
        #expect(response?["error"]?["data"] == ["kind": "not_found", "run_id": 7])
        #expect(response?["error"]?["message"] == "no such run")
        await server.stop()
    }

    @Test("notifications get no reply, not even on error")
    func notifications() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send(#"{"jsonrpc":"2.0","method":"record","params":{"tag":"n1"}}"#)
        try client.send(#"{"jsonrpc":"2.0","method":"nope"}"#)
        try client.send(#"{"jsonrpc":"2.0","method":"add","params":{}}"#)
        try client.send(#"[{"jsonrpc":"2.0","method":"record","params":{"tag":"n2"}},{"jsonrpc":"2.0","method":"nope"}]"#)
        // Answered after the notifications had every chance to be (wrongly) answered first.
        try client.send(#"{"jsonrpc":"2.0","method":"sleep","params":{"ms":200},"id":"last"}"#)
        let response = await client.nextJSON()
        #expect(response?["id"] == "last")
        #expect(response?["result"] == "slept 200")
        let events = [await server.nextEvent(), await server.nextEvent()]
        #expect(Set(events) == ["notified n1", "notified n2"])
        await server.stop()
    }

    @Test("a mixed batch is answered as one array, for its requests and invalid entries only")
    func mixedBatch() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send("""
            [{"jsonrpc":"2.0","method":"sleep","params":{"ms":100},"id":1},\
            {"jsonrpc":"2.0","method":"record","params":{"tag":"b"}},\
            {"jsonrpc":"2.0","method":"add","params":{"a":2,"b":3},"id":2},\
            1,\
            {"jsonrpc":"2.0","method":"nope","id":3},\
            {"jsonrpc":"2.0","method":5,"id":4}]
            """)
        let response = try #require(await client.nextJSON())
        let entries = try #require(response.arrayValue)
        #expect(entries.count == 5)
        #expect(entries[0] == ["jsonrpc": "2.0", "id": 1, "result": "slept 100"])
        #expect(entries[1] == ["jsonrpc": "2.0", "id": 2, "result": 5])
        #expect(entries[2]["id"] == .null)
        #expect(entries[2]["error"]?["code"] == -32600)
        #expect(entries[3]["id"] == 3)
        #expect(entries[3]["error"]?["code"] == -32601)
        #expect(entries[4]["id"] == 4)
        #expect(entries[4]["error"]?["code"] == -32600)
        #expect(await server.nextEvent() == "notified b")
        await server.stop()
    }

    @Test("requests on one connection run concurrently: the fast one is answered first")
    func outOfOrder() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send(#"{"jsonrpc":"2.0","method":"sleep","params":{"ms":500},"id":"slow"}"#)
        try client.send(#"{"jsonrpc":"2.0","method":"sleep","params":{"ms":1},"id":"fast"}"#)
        let first = await client.nextJSON()
        let second = await client.nextJSON()
        #expect(first?["id"] == "fast")
        #expect(second?["id"] == "slow")
        await server.stop()
    }

    @Test("a line over the limit gets invalid_request naming the limit, then the connection closes")
    func lineLimit() async throws {
        let server = try TestServer(limits: JSONRPCServerLimits(maximumRequestBytes: 1024))
        let client = try server.rawClient()
        try client.send(#"{"jsonrpc":"2.0","method":"echo","params":["small"],"id":1}"#)
        #expect(await client.nextJSON()?["result"] == ["small"])
        try client.send(#"{"jsonrpc":"2.0","method":"echo","params":[""# + String(repeating: "x", count: 2000) + #""],"id":2}"#)
        let response = try #require(await client.nextJSON())
        #expect(response["id"] == .null)
        #expect(response["error"]?["code"] == -32600)
        #expect(response["error"]?["message"]?.stringValue?.contains("1024 bytes") == true)
        #expect(await client.next() == .end)
        await server.stop()
    }

    @Test("new limits apply to the next line of a connection already open, and to the next connection")
    func updatedLimits() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        let line = #"{"jsonrpc":"2.0","method":"echo","params":[""# + String(repeating: "x", count: 2000) + #""],"id":1}"#
        try client.send(line)
        #expect(await client.nextJSON()?["id"] == 1)
        server.server.update(limits: JSONRPCServerLimits(maximumConnections: 1, maximumRequestBytes: 1024, maximumBatchLength: 1))
        #expect(server.server.limits.maximumRequestBytes == 1024)
        try client.send(#"[{"jsonrpc":"2.0","method":"echo","id":2},{"jsonrpc":"2.0","method":"echo","id":3}]"#)
        #expect(await client.nextJSON()?["error"]?["message"]?.stringValue?.contains("more than the limit of 1") == true)
        let second = try server.rawClient()
        #expect(await second.nextJSON()?["error"]?["message"]?.stringValue?.contains("serves 1 connections") == true)
        try client.send(line)
        #expect(await client.nextJSON()?["error"]?["message"]?.stringValue?.contains("1024 bytes") == true)
        #expect(await client.next() == .end)
        await server.stop()
    }

    @Test("a client that disconnects has its in-flight requests cancelled")
    func disconnectCancels() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send(#"{"jsonrpc":"2.0","method":"wait","params":{"tag":"w"},"id":1}"#)
        #expect(await server.nextEvent() == "started w")
        client.socket.shutdown()
        #expect(await server.nextEvent() == "cancelled w")
        await server.stop()
    }

    @Test("one connection has at most 64 requests in flight; the rest wait, and a hang-up cancels them all")
    func inFlightBound() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        for tag in 0..<80 {
            try client.send(#"{"jsonrpc":"2.0","method":"wait","params":{"tag":"\#(tag)"},"id":\#(tag)}"#)
        }
        var started = 0
        while started < 64, let event = await server.nextEvent(), event.hasPrefix("started") {
            started += 1
        }
        #expect(started == 64)
        // Had a 65th request started in this while, its "started" would come before the
        // cancellations below.
        try await Task.sleep(for: .milliseconds(500))
        client.socket.shutdown()
        var cancelled = 0
        while cancelled < 64, let event = await server.nextEvent() {
            #expect(event.hasPrefix("cancelled"), "\(event)")
            cancelled += 1
        }
        #expect(cancelled == 64)
        await server.stop()
    }

    @Test("a client that only shuts down its writing side still gets its answers")
    func halfClose() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send(#"{"jsonrpc":"2.0","method":"sleep","params":{"ms":100},"id":1}"#)
        client.socket.shutdownWriting()
        #expect(await client.nextJSON()?["result"] == "slept 100")
        #expect(await client.next() == .end)
        await server.stop()
    }

    @Test("handlers can notify their client")
    func serverNotifications() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send(#"{"jsonrpc":"2.0","method":"notify_me","id":1}"#)
        #expect(await client.nextJSON() == ["jsonrpc": "2.0", "method": "progress", "params": ["done": 1]])
        #expect(await client.nextJSON() == ["jsonrpc": "2.0", "id": 1, "result": true])
        await server.stop()
    }

    @Test("a client that does not read holds up only its own messages, which arrive whole and in order")
    func clientThatDoesNotRead() async throws {
        let server = try TestServer()
        let flooded = try server.rawClient()
        // 4 MiB of notifications, far more than the socket buffers: the rest must wait in
        // the connection's queue, not in a thread of the server.
        try flooded.send(#"{"jsonrpc":"2.0","method":"flood","params":{"count":64,"size":65536},"id":1}"#)
        for attempt in 1...3 {
            let other = try server.rawClient()
            try other.send(#"{"jsonrpc":"2.0","method":"add","params":{"a":\#(attempt),"b":1},"id":2}"#)
            #expect(await other.nextJSON()?["result"] == .int(Int64(attempt) + 1))
        }
        // The lines are checked as text, not parsed: parsing megabytes of JSON in a debug
        // build would hold a thread of the shared concurrency pool for seconds.
        for index in 0..<64 {
            let line = await flooded.next()
            #expect(Self.chunkIndex(line, textBytes: 65536) == index, "message \(index)")
        }
        #expect(await flooded.nextJSON() == ["jsonrpc": "2.0", "id": 1, "result": 64])

        // Read while the server writes: room appears in the socket while messages are still
        // queued, and none may overtake them.
        try flooded.send(#"{"jsonrpc":"2.0","method":"flood","params":{"count":500,"size":2048},"id":3}"#)
        var outOfOrder: [Int] = []
        for index in 0..<500 where Self.chunkIndex(await flooded.next(), textBytes: 2048) != index {
            outOfOrder.append(index)
        }
        #expect(outOfOrder.isEmpty, "\(outOfOrder.count) messages out of order, the first at \(outOfOrder.first ?? -1)")
        #expect(await flooded.nextJSON() == ["jsonrpc": "2.0", "id": 3, "result": 500])

        // Four senders at once: every line arrives whole, each sender's in its order.
        try flooded.send(#"{"jsonrpc":"2.0","method":"flood","params":{"count":100,"size":8192,"lanes":4},"id":4}"#)
        var latest = [Int](repeating: -1, count: 4)
        var broken = 0
        for _ in 0..<400 {
            guard let index = Self.chunkIndex(await flooded.next(), textBytes: 8192), latest[index / 100] < index else {
                broken += 1
                continue
            }
            latest[index / 100] = index
        }
        #expect(broken == 0, "\(broken) of 400 lines cut, spliced or out of their sender's order")
        #expect(await flooded.nextJSON() == ["jsonrpc": "2.0", "id": 4, "result": 400])
        await server.stop()
    }

    /// The index of a whole `chunk` notification of the `flood` method whose text has
    /// `textBytes` bytes; nil for anything else. Its keys are sorted, so its text is known.
    private static func chunkIndex(_ event: LineReader.Event, textBytes: Int) -> Int? {
        guard case let .line(bytes) = event else { return nil }
        let prefix = Array(#"{"jsonrpc":"2.0","method":"chunk","params":{"index":"#.utf8)
        guard bytes.starts(with: prefix) else { return nil }
        let digits = bytes[prefix.count...].prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        let rest = Array(#","text":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: textBytes) + Array(#""}}"#.utf8)
        guard bytes[(prefix.count + digits.count)...].elementsEqual(rest) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    @Test("many clients at once, deeply nested input at the limit")
    func manyClients() async throws {
        let server = try TestServer()
        // The request object and its params array count too: together, exactly the limit.
        let depth = JSONValue.defaultMaximumDepth - 2
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    guard let client = try? server.rawClient() else {
                        Issue.record("could not connect")
                        return
                    }
                    try? client.send(#"{"jsonrpc":"2.0","method":"echo","params":["# + nested + #"],"id":\#(index)}"#)
                    let response = await client.nextJSON()
                    #expect(response?["id"]?.int64Value == Int64(index))
                    #expect(response?["result"] != nil)
                }
            }
        }
        await server.stop()
    }

    @Test("shutdown waits for in-flight work up to the grace, then cancels it and unlinks the socket")
    func shutdown() async throws {
        let server = try TestServer()
        let client = try server.rawClient()
        try client.send(#"{"jsonrpc":"2.0","method":"sleep","params":{"ms":50},"id":1}"#)
        try client.send(#"{"jsonrpc":"2.0","method":"wait","params":{"tag":"s"},"id":2}"#)
        #expect(await server.nextEvent() == "started s")
        let started = ContinuousClock.now
        await server.server.shutdown(grace: .milliseconds(300))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(250))
        // The handler waits until cancelled: any bound proves the cancel. A loaded machine
        // has taken 5.8 s to schedule the shutdown's polls.
        #expect(elapsed < .seconds(15))
        #expect(await server.nextEvent() == "cancelled s")
        #expect(await client.nextJSON()?["id"] == 1)
        #expect(access(server.socketPath, F_OK) != 0)
        #expect(throws: UnixSocketError.alreadyStarted) { try server.server.start() }
        server.directory.remove()
    }
}
