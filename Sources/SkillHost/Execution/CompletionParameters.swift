import InferenceDriver
import SkillABI

/// The arguments of a `complete_text` call, checked the same way by every host (in process
/// and in a worker): a non-NULL result, a UTF-8 prompt, and parameters within the ranges
/// `skill_abi.h` documents. A failure names the offending field and says what is allowed.
enum CompletionParameters {
    /// The request that `complete_text(prompt, params, result)` asks for, with `defaultModel`
    /// when `params` names none; or `.invalidCSICall` for `complete_text` saying what is wrong.
    static func request(
        prompt: skill_bytes, params: UnsafePointer<skill_complete_params>?,
        result: UnsafeMutablePointer<skill_completion>?, defaultModel: String?
    ) -> Result<CompletionRequest, InvocationFailure> {
        func invalid(_ reason: String) -> Result<CompletionRequest, InvocationFailure> {
            .failure(.invalidCSICall(function: "complete_text", reason: reason))
        }
        guard let result else { return invalid("result is NULL") }
        let resultSize = UnsafeRawPointer(result).loadUnaligned(as: UInt32.self)
        guard resultSize >= SKILL_COMPLETION_SIZE_1_0 else {
            return invalid("result->struct_size is \(resultSize): set it to sizeof(skill_completion) before the call")
        }
        guard let promptText = String(skillBytes: prompt) else { return invalid("the prompt is not valid UTF-8") }
        var request = CompletionRequest(prompt: promptText, model: defaultModel, maxTokens: nil, temperature: nil,
                                        topP: nil, topK: nil, stop: [])
        guard let params else { return .success(request) }
        // The size is read on its own first: a struct smaller than ABI 1.0's must not be read whole.
        let paramsSize = UnsafeRawPointer(params).loadUnaligned(as: UInt32.self)
        guard paramsSize >= SKILL_COMPLETE_PARAMS_SIZE_1_0 else {
            return invalid("params->struct_size is \(paramsSize), smaller than ABI 1.0's "
                + "\(SKILL_COMPLETE_PARAMS_SIZE_1_0): start from SKILL_COMPLETE_PARAMS_INIT")
        }
        let fields = params.pointee
        if let model = fields.model {
            guard let name = String(validatingCString: model), !name.isEmpty else {
                return invalid("params.model is empty or not valid UTF-8 (use NULL for the default model)")
            }
            request.model = name
        }
        guard fields.max_tokens >= 0 else { return invalid("params.max_tokens is \(fields.max_tokens); it must be 0 (default) or more") }
        if fields.max_tokens > 0 { request.maxTokens = Int(fields.max_tokens) }
        guard !fields.temperature.isNaN, !fields.top_p.isNaN else { return invalid("params.temperature or top_p is NaN") }
        if fields.temperature >= 0 { request.temperature = fields.temperature }
        if fields.top_p >= 0 {
            guard fields.top_p > 0, fields.top_p <= 1 else { return invalid("params.top_p is \(fields.top_p); it must be in (0, 1]") }
            request.topP = fields.top_p
        }
        if fields.top_k > 0 { request.topK = Int(fields.top_k) }
        if fields.stop_count > 0 {
            guard let stop = fields.stop else { return invalid("params.stop is NULL but stop_count is \(fields.stop_count)") }
            for index in 0..<Int(fields.stop_count) {
                guard let entry = stop[index], let sequence = String(validatingCString: entry), !sequence.isEmpty else {
                    return invalid("params.stop[\(index)] is NULL, empty or not valid UTF-8")
                }
                request.stop.append(sequence)
            }
        }
        return .success(request)
    }

    /// Copies `text` (NUL-terminated, for convenience) into memory from `allocate`, which
    /// keeps it valid until the invocation ends, and fills the skill's `result` with it and
    /// the token counts, writing no more bytes than the `struct_size` the skill set, so that
    /// a skill built against an older, smaller `skill_completion` is safe. Returns false,
    /// touching nothing, when `allocate` gives no memory (the invocation is over).
    static func deliver(text: [UInt8], promptTokens: Int, completionTokens: Int,
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
