import InferenceDriver
import SkillABI

/// The arguments of `complete_text` and `chat`, checked the same way by every host (in
/// process and in a worker): a result with a size, UTF-8 text, and parameters within the
/// ranges `skill_abi.h` documents. A failure names the offending argument and says what is
/// allowed.
package enum CompletionParameters {
    /// The call that `complete_text(prompt, params, result)` asks for, with `defaultModel`
    /// when `params` names none; or what is wrong with the arguments.
    static func textCall(
        prompt: skill_bytes, params: UnsafePointer<skill_complete_params>?,
        result: UnsafeMutablePointer<skill_completion>?, defaultModel: String?
    ) -> Result<InferenceCall, InvalidCSICall> {
        call(function: "complete_text", params: params, result: result, defaultModel: defaultModel) { () throws(InvalidArgument) in
            .text(try text(prompt, "the prompt"))
        }
    }

    /// The call that `chat(messages, count, params, result)` asks for, with `defaultModel`
    /// when `params` names none; or what is wrong with the arguments.
    package static func chatCall(
        messages: UnsafePointer<skill_chat_message>?, count: Int, params: UnsafePointer<skill_complete_params>?,
        result: UnsafeMutablePointer<skill_completion>?, defaultModel: String?
    ) -> Result<InferenceCall, InvalidCSICall> {
        call(function: "chat", params: params, result: result, defaultModel: defaultModel) { () throws(InvalidArgument) in
            // size_t arrives as Int: a count above Int.max reads as negative.
            guard count > 0 else {
                throw InvalidArgument("message_count is \(UInt(bitPattern: count)); a chat needs at least one message")
            }
            guard let messages else { throw InvalidArgument("messages is NULL but message_count is \(count)") }
            return .chat(try (0..<count).map { index throws(InvalidArgument) in
                let message = messages[index]
                let role = try text(message.role, "messages[\(index)].role")
                guard !role.isEmpty else {
                    throw InvalidArgument("messages[\(index)].role is empty; use system, user or assistant")
                }
                return ChatMessage(role: role, content: try text(message.content, "messages[\(index)].content"))
            })
        }
    }

    /// Why an argument is invalid, in words for the skill's author; the function is named
    /// by ``call(function:params:result:defaultModel:input:)``.
    private struct InvalidArgument: Error {
        let reason: String

        init(_ reason: String) {
            self.reason = reason
        }
    }

    /// The checks both functions share, around the checking and reading of their own
    /// input by `input`: the result first, then the input, then the parameters, then the
    /// request as a whole (as the inference service would check it).
    private static func call(
        function: String, params: UnsafePointer<skill_complete_params>?,
        result: UnsafeMutablePointer<skill_completion>?, defaultModel: String?,
        input: () throws(InvalidArgument) -> CompletionRequest.Input
    ) -> Result<InferenceCall, InvalidCSICall> {
        do throws(InvalidArgument) {
            guard let result else { throw InvalidArgument("result is NULL") }
            let resultSize = UnsafeRawPointer(result).loadUnaligned(as: UInt32.self)
            guard resultSize >= SKILL_COMPLETION_SIZE_1_0 else {
                throw InvalidArgument("result->struct_size is \(resultSize): set it to sizeof(skill_completion) before the call")
            }
            var request = CompletionRequest(input: try input(), model: defaultModel, maxTokens: nil, temperature: nil,
                                            topP: nil, topK: nil, stop: [])
            let streamsOutput = try apply(params, to: &request)
            do throws(InferenceError) {
                try request.validate()
            } catch {
                guard case let .invalidRequest(reason) = error else { throw InvalidArgument(error.description) }
                throw InvalidArgument(reason)
            }
            return .success(InferenceCall(request: request, streamsOutput: streamsOutput))
        } catch {
            return .failure(InvalidCSICall(function: function, reason: error.reason))
        }
    }

    /// `bytes` as text; `name` names them in the failure.
    private static func text(_ bytes: skill_bytes, _ name: String) throws(InvalidArgument) -> String {
        guard bytes.len == 0 || bytes.data != nil else { throw InvalidArgument("\(name) has data NULL but len \(bytes.len)") }
        guard let decoded = String(skillBytes: bytes) else { throw InvalidArgument("\(name) is not valid UTF-8") }
        return decoded
    }

    /// Reads the skill's `params` into `request`; returns whether they ask for streaming.
    private static func apply(
        _ params: UnsafePointer<skill_complete_params>?, to request: inout CompletionRequest
    ) throws(InvalidArgument) -> Bool {
        guard let params else { return false }
        // The size is read on its own first: a struct smaller than ABI 1.0's must not be read.
        let paramsSize = Int(UnsafeRawPointer(params).loadUnaligned(as: UInt32.self))
        guard paramsSize >= SKILL_COMPLETE_PARAMS_SIZE_1_0 else {
            throw InvalidArgument("params->struct_size is \(paramsSize), smaller than ABI 1.0's "
                + "\(SKILL_COMPLETE_PARAMS_SIZE_1_0): start from SKILL_COMPLETE_PARAMS_INIT")
        }
        // No more bytes are read than the skill's struct has: the fields appended after the
        // version it was built for (`flags`, for a skill of ABI 1.0) keep their zero.
        let fields = SkillStruct.copy(params, stampedSize: paramsSize, over: skill_complete_params())
        if let model = fields.model {
            guard let name = String(validatingCString: model), !name.isEmpty else {
                throw InvalidArgument("params.model is empty or not valid UTF-8 (use NULL for the default model)")
            }
            request.model = name
        }
        guard fields.max_tokens >= 0 else {
            throw InvalidArgument("params.max_tokens is \(fields.max_tokens); it must be 0 (default) or more")
        }
        if fields.max_tokens > 0 { request.maxTokens = Int(fields.max_tokens) }
        guard !fields.temperature.isNaN, !fields.top_p.isNaN else { throw InvalidArgument("params.temperature or top_p is NaN") }
        if fields.temperature >= 0 { request.temperature = fields.temperature }
        if fields.top_p >= 0 {
            guard fields.top_p > 0, fields.top_p <= 1 else {
                throw InvalidArgument("params.top_p is \(fields.top_p); it must be in (0, 1]")
            }
            request.topP = fields.top_p
        }
        if fields.top_k > 0 { request.topK = Int(fields.top_k) }
        if fields.stop_count > 0 {
            guard let stop = fields.stop else {
                throw InvalidArgument("params.stop is NULL but stop_count is \(fields.stop_count)")
            }
            for index in 0..<Int(fields.stop_count) {
                guard let entry = stop[index], let sequence = String(validatingCString: entry), !sequence.isEmpty else {
                    throw InvalidArgument("params.stop[\(index)] is NULL, empty or not valid UTF-8")
                }
                request.stop.append(sequence)
            }
        }
        let unknownFlags = fields.flags & ~UInt32(SKILL_COMPLETE_STREAM)
        guard unknownFlags == 0 else {
            throw InvalidArgument("params.flags has unknown bits 0x\(String(unknownFlags, radix: 16)); "
                + "ABI \(SKILL_ABI_VERSION_MAJOR).\(SKILL_ABI_VERSION_MINOR) knows SKILL_COMPLETE_STREAM (0x1)")
        }
        return fields.flags & UInt32(SKILL_COMPLETE_STREAM) != 0
    }

    /// Copies `text` (NUL-terminated, for convenience) into memory from `allocate`, which
    /// keeps it valid until the invocation ends, and fills the skill's `result` with it and
    /// the token counts, writing no more bytes than the `struct_size` the skill set, so that
    /// a skill built against an older, smaller `skill_completion` is safe. Returns false,
    /// touching nothing, when `allocate` gives no memory (the invocation is over).
    package static func deliver(text: [UInt8], promptTokens: Int, completionTokens: Int,
                        into result: UnsafeMutablePointer<skill_completion>,
                        allocate: (Int) -> UnsafeMutableRawPointer?) -> Bool {
        guard let memory = allocate(text.count + 1) else { return false }
        text.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress { memory.copyMemory(from: source, byteCount: bytes.count) }
        }
        memory.storeBytes(of: 0, toByteOffset: text.count, as: UInt8.self)
        let hostSize = MemoryLayout<skill_completion>.size
        let skillSize = Int(UnsafeRawPointer(result).loadUnaligned(as: UInt32.self))
        var completion = skill_completion(
            struct_size: UInt32(min(skillSize, hostSize)),
            prompt_tokens: UInt32(clamping: promptTokens),
            completion_tokens: UInt32(clamping: completionTokens),
            text: skill_bytes(data: memory.assumingMemoryBound(to: CChar.self), len: text.count))
        withUnsafeBytes(of: &completion) { bytes in
            UnsafeMutableRawPointer(result).copyMemory(from: bytes.baseAddress!, byteCount: min(skillSize, hostSize))
        }
        return true
    }
}
