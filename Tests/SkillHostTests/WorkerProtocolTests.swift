import Foundation
import Glibc
import InferenceDriver
import SkillABI
@testable import SkillRuntime
import Synchronization
import Testing
@testable import WorkerProtocol

@Suite("Worker protocol: frames and the channel")
struct WorkerProtocolTests {
    static let everyMessage: [WorkerMessage] = [
        .load(path: "/data/skills/sha256/ab.so"),
        .inspect(path: "/data/skills/sha256/cd.so"),
        .inspected(SkillManifest(name: "hello", version: "1.0.0", description: "Says hello.", inputSchema: #"{"type":"object"}"#,
                                 outputSchema: nil, flags: 1, abiMajor: 1, abiMinor: 0)),
        .run(invocation: 7, input: Array(#"{"name":"é"}"#.utf8), model: ""),
        .run(invocation: .max, input: [], model: "gemma"),
        .completeReply(call: 3, status: SKILL_OK, text: Array("xyz".utf8), promptTokens: 5, completionTokens: .max),
        .completeReply(call: 4, status: -1, text: [], promptTokens: 0, completionTokens: 0),
        .shutdown,
        .loaded(name: "hello", version: "1.0.0-beta+7", flags: 1, abiMajor: 1, abiMinor: 0),
        .loadFailed(message: "x.so is not an ELF shared object"),
        .completeCall(invocation: 1, call: 2, prompt: Array("Once upon".utf8), parameters: WorkerInferenceParameters(
            model: "m", maxTokens: 64, temperature: 0.25, topP: -1, topK: 0, stop: ["\n", "END", "ü"], flags: 1)),
        .completeCall(invocation: 1, call: 3, prompt: [], parameters: WorkerInferenceParameters(
            model: "", maxTokens: 0, temperature: -.infinity, topP: .leastNonzeroMagnitude, topK: .min, stop: [],
            flags: .max)),
        .chatCall(invocation: 2, call: 4, messages: [ChatMessage(role: "system", content: "Be brief."),
                                                     ChatMessage(role: "user", content: "")],
                  parameters: WorkerInferenceParameters(model: "gemma", stop: ["<end>"], flags: 1)),
        .chatCall(invocation: 2, call: 5, messages: [], parameters: WorkerInferenceParameters()),
        .outputChunk(invocation: 9, chunk: [0, 0xFF, 0x80]),
        .log(invocation: 9, level: 3, message: Array("bytes need not be UTF-8 \u{1}".utf8) + [0xFE]),
        .runDone(invocation: 9, status: SKILL_ERR_FAILED, output: Array("[1]".utf8), errorMessage: "broke"),
        .csiMisuse(invocation: 9, function: "complete_text", reason: "result is NULL"),
    ]

    /// The frame's bytes after the 4-byte length prefix.
    private static func body(of message: WorkerMessage) -> [UInt8] {
        Array(message.encodedFrame().dropFirst(4))
    }

    /// Expects `frame` to be malformed for a reason that contains one of `texts`.
    private static func expectMalformed(_ frame: [UInt8], mentioning texts: String...,
                                        sourceLocation: SourceLocation = #_sourceLocation)
    {
        do {
            let decoded = try WorkerMessage.decode(frame)
            Issue.record("decoded \(decoded) from a malformed frame", sourceLocation: sourceLocation)
        } catch let .malformed(reason) {
            #expect(texts.contains { reason.contains($0) }, "reason: \(reason)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected malformed, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("every message survives encoding and decoding", arguments: everyMessage)
    func roundTrip(message: WorkerMessage) throws {
        let frame = message.encodedFrame()
        let length = frame.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
        #expect(Int(length) == frame.count - 4)
        #expect(try WorkerMessage.decode(Array(frame.dropFirst(4))) == message)
    }

    @Test("the layout matches docs/WORKER-PROTOCOL.md byte for byte")
    func layout() {
        #expect(WorkerMessage.run(invocation: 0x0102, input: [0xAA], model: "m").encodedFrame() == [
            19, 0, 0, 0,  // length
            2,  // type: run
            0x02, 0x01, 0, 0, 0, 0, 0, 0,  // u64 invocation
            1, 0, 0, 0, 0xAA,  // bytes input
            1, 0, 0, 0, UInt8(ascii: "m"),  // string model
        ])
        #expect(WorkerMessage.shutdown.encodedFrame() == [1, 0, 0, 0, 4])
    }

    @Test("a frame cut short anywhere names the missing field", arguments: everyMessage.filter { $0 != .shutdown })
    func truncated(message: WorkerMessage) {
        let body = Self.body(of: message)
        for length in 1..<body.count {
            // Stop sequences that cannot fit are refused as a whole, before the first is read.
            Self.expectMalformed(Array(body.prefix(length)), mentioning: "needs", "left can hold")
        }
    }

    @Test("an empty frame, an unknown type and trailing bytes are malformed")
    func invalidFrames() {
        Self.expectMalformed([], mentioning: "the message type")
        Self.expectMalformed([6], mentioning: "unknown message type 6")
        Self.expectMalformed([63, 0, 0], mentioning: "unknown message type 63")
        Self.expectMalformed(Self.body(of: .shutdown) + [0], mentioning: "1 bytes left over")
        Self.expectMalformed(Self.body(of: .loadFailed(message: "no")) + [1, 2], mentioning: "2 bytes left over")
    }

    @Test("a string that is not UTF-8 is malformed, naming the field")
    func invalidUTF8() {
        var body = Self.body(of: .csiMisuse(invocation: 1, function: "log", reason: "ab"))
        body[body.count - 1] = 0xFF
        Self.expectMalformed(body, mentioning: "csi_misuse.reason is not valid UTF-8")
    }

    @Test("a stop count larger than the frame can hold is refused before allocating")
    func hugeStopCount() {
        var body = Self.body(of: .completeCall(invocation: 1, call: 1, prompt: [], parameters: WorkerInferenceParameters()))
        // The stop count comes just before the flags, the last field.
        body.replaceSubrange((body.count - 8)..<(body.count - 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        Self.expectMalformed(body, mentioning: "complete_call.stop_count is 4294967295")
    }

    @Test("a chat message count larger than the frame can hold is refused before allocating")
    func hugeMessageCount() {
        var body = Self.body(of: .chatCall(invocation: 1, call: 1, messages: [], parameters: WorkerInferenceParameters()))
        // After the type, the invocation and the call.
        body.replaceSubrange(17..<21, with: [0xFF, 0xFF, 0xFF, 0x7F])
        Self.expectMalformed(body, mentioning: "chat_call.message_count is 2147483647")
    }

    @Test("complete_call and chat_call end with the parameters, flags last, as docs/WORKER-PROTOCOL.md says")
    func parametersLayout() {
        let parameters = WorkerInferenceParameters(model: "m", maxTokens: 2, temperature: 0.5, topP: -1, topK: 3,
                                                   stop: ["s"], flags: UInt32(SKILL_COMPLETE_STREAM))
        let expectedParameters: [UInt8] = [1, 0, 0, 0, UInt8(ascii: "m"), 2, 0, 0, 0]  // string model, i32 max_tokens
            + Array(withUnsafeBytes(of: (0.5).bitPattern.littleEndian, Array.init))  // f64 temperature
            + Array(withUnsafeBytes(of: (-1.0).bitPattern.littleEndian, Array.init))  // f64 top_p
            + [3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, UInt8(ascii: "s")]  // i32 top_k, u32 stop_count, string stop[0]
            + [1, 0, 0, 0]  // u32 flags
        let chat = Self.body(of: .chatCall(invocation: 1, call: 2, messages: [ChatMessage(role: "u", content: "hi")],
                                           parameters: parameters))
        #expect(chat == [72, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,  // type, u64 invocation, u64 call
                         1, 0, 0, 0,  // u32 message_count
                         1, 0, 0, 0, UInt8(ascii: "u"), 2, 0, 0, 0, UInt8(ascii: "h"), UInt8(ascii: "i")]
            + expectedParameters)
        let complete = Self.body(of: .completeCall(invocation: 1, call: 2, prompt: [0x41], parameters: parameters))
        #expect(complete == [66, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x41] + expectedParameters)
    }

    @Test("a chat role that is not UTF-8 is malformed, naming the message")
    func chatRoleNotUTF8() {
        var body = Self.body(of: .chatCall(invocation: 1, call: 1, messages: [ChatMessage(role: "u", content: "")],
                                           parameters: WorkerInferenceParameters()))
        body[25] = 0xFF  // the role's one byte
        Self.expectMalformed(body, mentioning: "chat_call.messages[0].role is not valid UTF-8")
    }

    // MARK: The channel

    /// Two connected channels over a socketpair.
    private static func channelPair() throws -> (WorkerChannel, WorkerChannel) {
        var descriptors: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &descriptors) == 0 else {
            throw WorkerProtocolError.systemCall(call: "socketpair", errno: errno)
        }
        return (WorkerChannel(fileDescriptor: descriptors[0]), WorkerChannel(fileDescriptor: descriptors[1]))
    }

    /// A raw descriptor connected to a channel, to write bytes that bypass the framing.
    private static func rawPair() throws -> (raw: Int32, channel: WorkerChannel) {
        var descriptors: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &descriptors) == 0 else {
            throw WorkerProtocolError.systemCall(call: "socketpair", errno: errno)
        }
        return (descriptors[0], WorkerChannel(fileDescriptor: descriptors[1]))
    }

    @Test("10 MiB frames sent from two threads at once arrive whole, each in one piece")
    func largeFramesFromTwoThreads() async throws {
        let (sender, receiver) = try Self.channelPair()
        let size = 10 << 20
        // Interleaved writes would mix the two fill bytes or break the framing.
        let first = WorkerMessage.outputChunk(invocation: 1, chunk: [UInt8](repeating: 0xA1, count: size))
        let second = WorkerMessage.outputChunk(invocation: 2, chunk: [UInt8](repeating: 0xB2, count: size))
        let sent = [first, second]
        // Both senders block until the reader drains the socket buffer: run them on
        // threads of their own, never on the concurrency pool.
        let failures = Mutex<[WorkerProtocolError]>([])
        let threads = sent.map { message in
            Thread {
                do throws(WorkerProtocolError) {
                    try sender.send(message)
                } catch {
                    failures.withLock { $0.append(error) }
                }
            }
        }
        threads.forEach { $0.start() }
        var received: [WorkerMessage] = []
        for _ in sent {
            received.append(try receiver.receive())
        }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(received.count == 2)
        #expect(received.contains(first))
        #expect(received.contains(second))
    }

    @Test("end of stream between frames is connectionClosed; inside a frame it is malformed")
    func endOfStream() throws {
        let (sender, receiver) = try Self.channelPair()
        try sender.send(.shutdown)
        sender.shutdown()
        #expect(try receiver.receive() == .shutdown)
        #expect(throws: WorkerProtocolError.connectionClosed) { try receiver.receive() }

        let (raw, channel) = try Self.rawPair()
        let partial: [UInt8] = [10, 0, 0, 0, 64]
        #expect(write(raw, partial, partial.count) == partial.count)
        close(raw)
        #expect(throws: WorkerProtocolError.malformed("the connection closed after 1 of the 10 bytes of a frame")) {
            try channel.receive()
        }
    }

    @Test("a length prefix of 0 or over 64 MiB is refused before reading the body")
    func frameTooLarge() throws {
        for length: UInt32 in [0, WorkerMessage.maximumFrameLength + 1, .max] {
            let (raw, channel) = try Self.rawPair()
            let prefix = withUnsafeBytes(of: length.littleEndian) { Array($0) }
            #expect(write(raw, prefix, 4) == 4)
            #expect(throws: WorkerProtocolError.frameTooLarge(length: length)) { try channel.receive() }
            close(raw)
        }
    }

    @Test("sending a frame over 64 MiB fails without writing anything")
    func sendTooLarge() throws {
        let (sender, receiver) = try Self.channelPair()
        let huge = WorkerMessage.outputChunk(invocation: 1, chunk: [UInt8](repeating: 1, count: Int(WorkerMessage.maximumFrameLength)))
        #expect(throws: WorkerProtocolError.frameTooLarge(length: WorkerMessage.maximumFrameLength + 13)) {
            try sender.send(huge)
        }
        try sender.send(.shutdown)
        #expect(try receiver.receive() == .shutdown)
    }

    @Test("shutdown wakes a receive blocked on another thread")
    func shutdownWakesReceiver() async throws {
        let (_, receiver) = try Self.channelPair()
        let outcome = Mutex<WorkerProtocolError?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            do throws(WorkerProtocolError) {
                _ = try receiver.receive()
            } catch {
                outcome.withLock { $0 = error }
            }
            done.signal()
        }.start()
        try await Task.sleep(for: .milliseconds(50))
        receiver.shutdown()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(outcome.withLock { $0 } == .connectionClosed)
    }
}
