import InferenceDriver
import SkillRuntime
import SkillhostModel

/// One message of the worker protocol (docs/WORKER-PROTOCOL.md), between the daemon and a
/// worker process that hosts one skill.
///
/// A frame is a little-endian `UInt32` length `n` (1 ≤ n ≤ ``maximumFrameLength``), then `n`
/// bytes: the message type, then the payload. Payload integers are little-endian, `bytes`
/// is a `UInt32` length and that many bytes, a string is `bytes` holding UTF-8.
package enum WorkerMessage: Equatable, Sendable {
    // Daemon → worker.

    /// Load the skill file at `path` (and run its `init`).
    case load(path: String)
    /// Check the file at `path` and describe it, without running its `init`; the worker
    /// answers ``inspected(_:)`` or ``loadFailed(message:)`` and exits.
    case inspect(path: String)
    /// Run the loaded skill once on `input`; `model` is empty for the default model.
    case run(invocation: UInt64, input: [UInt8], model: String)
    /// The answer to the worker's `completeCall` or `chatCall` number `call`.
    case completeReply(call: UInt64, status: Int32, text: [UInt8], promptTokens: UInt32, completionTokens: UInt32)
    /// Finish: call the skill's `deinit` and exit 0.
    case shutdown

    // Worker → daemon.

    /// The worker's first message: the layers of the sandbox it set up, and why any is
    /// missing (docs/SECURITY.md).
    case sandboxed(SandboxReport)
    /// The skill loaded; its descriptor's identity.
    case loaded(name: String, version: String, flags: UInt32, abiMajor: UInt32, abiMinor: UInt32)
    /// The skill did not load, with the loader's reason.
    case loadFailed(message: String)
    /// The answer to ``inspect(path:)``: what the skill's descriptor declares.
    case inspected(SkillManifest)
    /// The skill called `complete_text` with valid arguments; the worker blocks for the reply.
    case completeCall(invocation: UInt64, call: UInt64, prompt: [UInt8], parameters: WorkerInferenceParameters)
    /// The skill called `chat` with valid arguments; the worker blocks for the reply.
    case chatCall(invocation: UInt64, call: UInt64, messages: [ChatMessage], parameters: WorkerInferenceParameters)
    /// A chunk the skill wrote with `write_output`.
    case outputChunk(invocation: UInt64, chunk: [UInt8])
    /// A line the skill logged with `log` (level 0...3).
    case log(invocation: UInt64, level: UInt32, message: [UInt8])
    /// The skill's `run` returned `status`, these bytes in `*output`, and the message it set.
    case runDone(invocation: UInt64, status: Int32, output: [UInt8], errorMessage: String)
    /// The skill called the host function `function` with invalid arguments; the worker
    /// now blocks forever, waiting to be killed.
    case csiMisuse(invocation: UInt64, function: String, reason: String)

    /// The largest frame length (type and payload) either side accepts: 64 MiB.
    package static let maximumFrameLength: UInt32 = 64 << 20

    /// The message type bytes of the protocol.
    private enum Kind: UInt8 {
        case load = 1, run = 2, completeReply = 3, shutdown = 4, inspect = 5
        case loaded = 64, loadFailed = 65, completeCall = 66, outputChunk = 67, log = 68, runDone = 69, csiMisuse = 70
        case inspected = 71, chatCall = 72, sandboxed = 73
    }

    /// The whole frame: length prefix, type, payload.
    ///
    /// The length is not checked here: ``WorkerChannel/send(_:)`` refuses a frame longer
    /// than ``maximumFrameLength``.
    func encodedFrame() -> [UInt8] {
        var writer = FrameWriter()
        switch self {
        case let .load(path):
            writer.type(.load)
            writer.string(path)
        case let .inspect(path):
            writer.type(.inspect)
            writer.string(path)
        case let .run(invocation, input, model):
            writer.type(.run)
            writer.integer(invocation)
            writer.bytes(input)
            writer.string(model)
        case let .completeReply(call, status, text, promptTokens, completionTokens):
            writer.type(.completeReply)
            writer.integer(call)
            writer.integer(status)
            writer.bytes(text)
            writer.integer(promptTokens)
            writer.integer(completionTokens)
        case .shutdown:
            writer.type(.shutdown)
        case let .sandboxed(report):
            writer.type(.sandboxed)
            writer.integer(UInt32(truncatingIfNeeded: report.entries.count))
            for entry in report.entries {
                writer.string(entry.layer.rawValue)
                writer.integer(UInt8(entry.active ? 1 : 0))
                writer.string(entry.detail)
            }
        case let .loaded(name, version, flags, abiMajor, abiMinor):
            writer.type(.loaded)
            writer.string(name)
            writer.string(version)
            writer.integer(flags)
            writer.integer(abiMajor)
            writer.integer(abiMinor)
        case let .loadFailed(message):
            writer.type(.loadFailed)
            writer.string(message)
        case let .inspected(manifest):
            writer.type(.inspected)
            writer.string(manifest.name)
            writer.string(manifest.version)
            writer.string(manifest.description)
            writer.string(manifest.inputSchema ?? "")
            writer.string(manifest.outputSchema ?? "")
            writer.integer(manifest.flags)
            writer.integer(UInt32(clamping: manifest.abiMajor))
            writer.integer(UInt32(clamping: manifest.abiMinor))
        case let .completeCall(invocation, call, prompt, parameters):
            writer.type(.completeCall)
            writer.integer(invocation)
            writer.integer(call)
            writer.bytes(prompt)
            writer.parameters(parameters)
        case let .chatCall(invocation, call, messages, parameters):
            writer.type(.chatCall)
            writer.integer(invocation)
            writer.integer(call)
            writer.integer(UInt32(truncatingIfNeeded: messages.count))
            for message in messages {
                writer.string(message.role)
                writer.string(message.content)
            }
            writer.parameters(parameters)
        case let .outputChunk(invocation, chunk):
            writer.type(.outputChunk)
            writer.integer(invocation)
            writer.bytes(chunk)
        case let .log(invocation, level, message):
            writer.type(.log)
            writer.integer(invocation)
            writer.integer(level)
            writer.bytes(message)
        case let .runDone(invocation, status, output, errorMessage):
            writer.type(.runDone)
            writer.integer(invocation)
            writer.integer(status)
            writer.bytes(output)
            writer.string(errorMessage)
        case let .csiMisuse(invocation, function, reason):
            writer.type(.csiMisuse)
            writer.integer(invocation)
            writer.string(function)
            writer.string(reason)
        }
        return writer.finish()
    }

    /// Decodes the bytes after the length prefix (type + payload).
    /// - Throws: ``WorkerProtocolError/malformed(_:)`` for an empty frame, an unknown type,
    ///   a field cut short, a string that is not UTF-8, or bytes after the last field.
    package static func decode(_ frame: [UInt8]) throws(WorkerProtocolError) -> WorkerMessage {
        var reader = FrameReader(frame)
        let typeByte = try reader.u8("the message type")
        guard let kind = Kind(rawValue: typeByte) else {
            throw .malformed("unknown message type \(typeByte)")
        }
        let message: WorkerMessage
        switch kind {
        case .load:
            message = .load(path: try reader.string("load.path"))
        case .inspect:
            message = .inspect(path: try reader.string("inspect.path"))
        case .run:
            message = .run(invocation: try reader.u64("run.invocation"), input: try reader.bytes("run.input"),
                           model: try reader.string("run.model"))
        case .completeReply:
            message = .completeReply(
                call: try reader.u64("complete_reply.call"), status: try reader.i32("complete_reply.status"),
                text: try reader.bytes("complete_reply.text"),
                promptTokens: try reader.u32("complete_reply.prompt_tokens"),
                completionTokens: try reader.u32("complete_reply.completion_tokens"))
        case .shutdown:
            message = .shutdown
        case .sandboxed:
            let entries = try reader.list("sandboxed.layer_count", elementBytes: 9) {
                reader, index throws(WorkerProtocolError) in
                let name = try reader.string("sandboxed.layers[\(index)].layer")
                guard let layer = SandboxLayer(rawValue: name) else {
                    throw .malformed("sandboxed.layers[\(index)].layer is \(name), not a layer of the sandbox")
                }
                let active = try reader.u8("sandboxed.layers[\(index)].active") != 0
                return SandboxReport.Entry(layer: layer, active: active, detail: try reader.string("sandboxed.layers[\(index)].detail"))
            }
            message = .sandboxed(SandboxReport(entries: entries))
        case .loaded:
            message = .loaded(
                name: try reader.string("loaded.name"), version: try reader.string("loaded.version"),
                flags: try reader.u32("loaded.flags"), abiMajor: try reader.u32("loaded.abi_major"),
                abiMinor: try reader.u32("loaded.abi_minor"))
        case .loadFailed:
            message = .loadFailed(message: try reader.string("load_failed.message"))
        case .inspected:
            let name = try reader.string("inspected.name")
            let version = try reader.string("inspected.version")
            let description = try reader.string("inspected.description")
            let inputSchema = try reader.string("inspected.input_schema")
            let outputSchema = try reader.string("inspected.output_schema")
            message = .inspected(SkillManifest(
                name: name, version: version, description: description,
                inputSchema: inputSchema.isEmpty ? nil : inputSchema,
                outputSchema: outputSchema.isEmpty ? nil : outputSchema,
                flags: try reader.u32("inspected.flags"), abiMajor: Int(try reader.u32("inspected.abi_major")),
                abiMinor: Int(try reader.u32("inspected.abi_minor"))))
        case .completeCall:
            message = .completeCall(
                invocation: try reader.u64("complete_call.invocation"), call: try reader.u64("complete_call.call"),
                prompt: try reader.bytes("complete_call.prompt"), parameters: try reader.parameters("complete_call"))
        case .chatCall:
            let invocation = try reader.u64("chat_call.invocation")
            let call = try reader.u64("chat_call.call")
            let messages = try reader.list("chat_call.message_count", elementBytes: 8) {
                reader, index throws(WorkerProtocolError) in
                ChatMessage(role: try reader.string("chat_call.messages[\(index)].role"),
                            content: try reader.string("chat_call.messages[\(index)].content"))
            }
            message = .chatCall(invocation: invocation, call: call, messages: messages,
                                parameters: try reader.parameters("chat_call"))
        case .outputChunk:
            message = .outputChunk(invocation: try reader.u64("output_chunk.invocation"),
                                   chunk: try reader.bytes("output_chunk.chunk"))
        case .log:
            message = .log(invocation: try reader.u64("log.invocation"), level: try reader.u32("log.level"),
                           message: try reader.bytes("log.message"))
        case .runDone:
            message = .runDone(
                invocation: try reader.u64("run_done.invocation"), status: try reader.i32("run_done.status"),
                output: try reader.bytes("run_done.output"), errorMessage: try reader.string("run_done.error_message"))
        case .csiMisuse:
            message = .csiMisuse(invocation: try reader.u64("csi_misuse.invocation"),
                                 function: try reader.string("csi_misuse.function"),
                                 reason: try reader.string("csi_misuse.reason"))
        }
        guard reader.remaining == 0 else {
            throw .malformed("\(reader.remaining) bytes left over after the last field of message type \(typeByte)")
        }
        return message
    }

    /// Builds one frame: a length prefix patched in by `finish`, the type, the fields.
    private struct FrameWriter {
        private var buffer: [UInt8] = [0, 0, 0, 0]

        mutating func type(_ kind: Kind) {
            buffer.append(kind.rawValue)
        }

        mutating func integer<Value: FixedWidthInteger>(_ value: Value) {
            withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
        }

        mutating func bytes(_ value: [UInt8]) {
            integer(UInt32(truncatingIfNeeded: value.count))
            buffer.append(contentsOf: value)
        }

        mutating func string(_ value: String) {
            bytes(Array(value.utf8))
        }

        /// The parameters that end `complete_call` and `chat_call`.
        mutating func parameters(_ value: WorkerInferenceParameters) {
            string(value.model)
            integer(value.maxTokens)
            integer(value.temperature.bitPattern)
            integer(value.topP.bitPattern)
            integer(value.topK)
            integer(UInt32(truncatingIfNeeded: value.stop.count))
            for sequence in value.stop { string(sequence) }
            integer(value.flags)
        }

        /// The frame, with its length prefix (saturated at `UInt32.max` for a frame that no
        /// peer would accept anyway).
        mutating func finish() -> [UInt8] {
            let length = UInt32(clamping: buffer.count - 4)
            withUnsafeBytes(of: length.littleEndian) { prefix in
                for index in 0..<4 { buffer[index] = prefix[index] }
            }
            return buffer
        }
    }

    /// Reads the fields of one frame in order, naming the field that is cut short.
    private struct FrameReader {
        private let frame: [UInt8]
        private var offset = 0

        init(_ frame: [UInt8]) {
            self.frame = frame
        }

        var remaining: Int { frame.count - offset }

        private mutating func take(_ count: Int, _ field: String) throws(WorkerProtocolError) -> ArraySlice<UInt8> {
            guard count <= remaining else {
                throw .malformed("\(field) needs \(count) bytes but only \(remaining) remain")
            }
            defer { offset += count }
            return frame[offset..<offset + count]
        }

        private mutating func integer<Value: FixedWidthInteger>(_: Value.Type, _ field: String) throws(WorkerProtocolError) -> Value {
            let slice = try take(MemoryLayout<Value>.size, field)
            var value = Value.zero
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: slice) }
            return Value(littleEndian: value)
        }

        mutating func u8(_ field: String) throws(WorkerProtocolError) -> UInt8 { try integer(UInt8.self, field) }
        mutating func u32(_ field: String) throws(WorkerProtocolError) -> UInt32 { try integer(UInt32.self, field) }
        mutating func u64(_ field: String) throws(WorkerProtocolError) -> UInt64 { try integer(UInt64.self, field) }
        mutating func i32(_ field: String) throws(WorkerProtocolError) -> Int32 { try integer(Int32.self, field) }

        mutating func bytes(_ field: String) throws(WorkerProtocolError) -> [UInt8] {
            let length = try u32("the length of \(field)")
            return Array(try take(Int(length), field))
        }

        mutating func string(_ field: String) throws(WorkerProtocolError) -> String {
            let raw = try bytes(field)
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw .malformed("\(field) is not valid UTF-8")
            }
            return text
        }

        /// A `u32` count named `countField`, then that many elements read by `element`
        /// (given this reader and each one's index). Each element takes at least
        /// `elementBytes`: a count the frame cannot hold is refused before anything is
        /// reserved for it.
        mutating func list<Element>(
            _ countField: String, elementBytes: Int,
            _ element: (inout FrameReader, Int) throws(WorkerProtocolError) -> Element
        ) throws(WorkerProtocolError) -> [Element] {
            let count = try u32(countField)
            guard Int(count) <= remaining / elementBytes else {
                throw .malformed("\(countField) is \(count), more than the \(remaining) bytes left can hold")
            }
            var elements: [Element] = []
            elements.reserveCapacity(Int(count))
            for index in 0..<Int(count) {
                elements.append(try element(&self, index))
            }
            return elements
        }

        /// The parameters that end `complete_call` and `chat_call` (`message` names which).
        mutating func parameters(_ message: String) throws(WorkerProtocolError) -> WorkerInferenceParameters {
            let model = try string("\(message).model")
            let maxTokens = try i32("\(message).max_tokens")
            let temperature = Double(bitPattern: try u64("\(message).temperature"))
            let topP = Double(bitPattern: try u64("\(message).top_p"))
            let topK = try i32("\(message).top_k")
            let stop = try list("\(message).stop_count", elementBytes: 4) { reader, index throws(WorkerProtocolError) in
                try reader.string("\(message).stop[\(index)]")
            }
            return WorkerInferenceParameters(model: model, maxTokens: maxTokens, temperature: temperature, topP: topP,
                                             topK: topK, stop: stop, flags: try u32("\(message).flags"))
        }
    }
}
