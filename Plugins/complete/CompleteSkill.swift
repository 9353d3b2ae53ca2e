// complete: the example skill written in Swift. It completes a prompt with the host's
// inference server through the CSI and answers with the text and the token counts.
//
// Input:  {"prompt": "The capital of France is", "max_tokens": 32, "temperature": 0.2,
//          "stop": ["\n"], "stream": false}     (only "prompt" is required)
// Output: {"completion": " Paris.", "completion_tokens": 3, "prompt_tokens": 6}
//
// With "stream": true the model's text is streamed to the caller as it is generated
// (SKILL_COMPLETE_STREAM, ABI 1.1) and is the whole output: " Paris." here. The token
// counts then go to the run's log.
//
// A Swift skill is a dynamic library product whose one exported C symbol, `skill_entry`,
// is written with `@_cdecl`; everything else is ordinary Swift behind C function pointers.

import Foundation
import SkillABI

/// The skill's entry point, the one symbol the host looks up: returns the descriptor.
@_cdecl("skill_entry")
public func skillEntry() -> UnsafePointer<skill_descriptor> {
    UnsafePointer(completeSkillDescriptor)
}

/// The descriptor, made once on first use and never changed or freed afterwards.
///
/// `nonisolated(unsafe)` because a raw pointer is not `Sendable`: sharing it is safe since
/// Swift initialises a global exactly once (thread-safely) and nothing ever writes through
/// the pointer after that, so every thread only reads immutable memory.
nonisolated(unsafe) private let completeSkillDescriptor: UnsafeMutablePointer<skill_descriptor> = {
    let descriptor = UnsafeMutablePointer<skill_descriptor>.allocate(capacity: 1)
    descriptor.initialize(to: skill_descriptor(
        magic: SKILL_DESCRIPTOR_MAGIC,
        abi_major: UInt16(SKILL_ABI_VERSION_MAJOR),
        abi_minor: UInt16(SKILL_ABI_VERSION_MINOR),
        struct_size: UInt32(MemoryLayout<skill_descriptor>.size),
        flags: 0,
        name: cString("complete"),
        version: cString("1.0.0"),
        description: cString("Completes a prompt with the host's language model."),
        input_schema: cString(#"""
            {"type":"object","required":["prompt"],"properties":{\#
            "prompt":{"type":"string","minLength":1},\#
            "max_tokens":{"type":"integer","minimum":1},\#
            "temperature":{"type":"number","minimum":0},\#
            "stop":{"type":"array","items":{"type":"string"}},\#
            "stream":{"type":"boolean"}}}
            """#),
        // The output of a streamed run is the generated text itself, not this object: the
        // schema describes the default.
        output_schema: cString(#"""
            {"type":"object","required":["completion","prompt_tokens","completion_tokens"],\#
            "properties":{"completion":{"type":"string"},\#
            "prompt_tokens":{"type":"integer"},"completion_tokens":{"type":"integer"}}}
            """#),
        init: nil,
        run: runComplete,
        deinit: nil))
    return descriptor
}()

/// The NUL-terminated C string of a literal; it lives as long as the library is loaded.
private func cString(_ literal: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// `run`: parses the input, asks the host for a completion, and returns it as JSON; or, for
/// a streamed completion, has the host stream it as the output and logs the token counts.
private func runComplete(
    host: UnsafePointer<skill_host>?,
    invocation: OpaquePointer?,
    state: UnsafeMutableRawPointer?,
    input: skill_bytes,
    output: UnsafeMutablePointer<skill_bytes>?
) -> skill_status {
    guard let host, let output else { return SKILL_ERR_FAILED }
    let csi = HostCalls(host: host, invocation: invocation)

    let request: CompletionInput
    do {
        request = try CompletionInput(json: input)
    } catch {
        csi.setError(error.message)
        return SKILL_ERR_INVALID_INPUT
    }

    let completion: skill_completion
    switch csi.complete(request) {
    case .success(let result):
        completion = result
    case .failure(let failure):
        return failure.status
    }

    if request.stream {
        // The text is the output already: it was written as it was generated.
        csi.log("\(completion.prompt_tokens) prompt tokens, \(completion.completion_tokens) completion tokens")
        output.pointee = skill_bytes(data: nil, len: 0)
        return SKILL_OK
    }

    let answer: [String: Any] = [
        "completion": String(decoding: completion.text.bufferPointer, as: UTF8.self),
        "prompt_tokens": Int(completion.prompt_tokens),
        "completion_tokens": Int(completion.completion_tokens),
    ]
    guard let json = try? JSONSerialization.data(
        withJSONObject: answer, options: [.sortedKeys, .withoutEscapingSlashes])
    else {
        csi.setError("could not encode the completion as JSON")
        return SKILL_ERR_FAILED
    }
    guard let bytes = csi.copy(json) else { return SKILL_ERR_ABORTED }
    output.pointee = bytes
    return SKILL_OK
}

/// The skill's input, checked.
private struct CompletionInput {
    /// Why an input was refused, in words for the caller.
    struct Invalid: Error {
        let message: String
    }

    let prompt: String
    let maxTokens: Int32?
    let temperature: Double?
    let stop: [String]
    /// Whether the model's text is streamed to the caller as the output.
    let stream: Bool

    /// Parses `{"prompt": string, "max_tokens"?: int, "temperature"?: number, "stop"?: [string],
    /// "stream"?: bool}`.
    init(json input: skill_bytes) throws(Invalid) {
        let data = Data(input.bufferPointer)
        guard let object = try? JSONSerialization.jsonObject(with: data),
              let fields = object as? [String: Any]
        else {
            throw Invalid(message: #"the input must be a JSON object such as {"prompt": "Once upon a time"}"#)
        }
        guard let prompt = fields["prompt"] as? String, !prompt.isEmpty else {
            throw Invalid(message: #"the input needs "prompt", a non-empty string"#)
        }
        self.prompt = prompt

        if let value = fields["max_tokens"] {
            guard let tokens = value as? Int, (1...Int(Int32.max)).contains(tokens) else {
                throw Invalid(message: #""max_tokens" must be a positive integer"#)
            }
            maxTokens = Int32(tokens)
        } else {
            maxTokens = nil
        }

        if let value = fields["temperature"] {
            guard let temperature = value as? Double, temperature >= 0 else {
                throw Invalid(message: #""temperature" must be a number, 0 or more"#)
            }
            self.temperature = temperature
        } else {
            temperature = nil
        }

        if let value = fields["stop"] {
            guard let stop = value as? [String] else {
                throw Invalid(message: #""stop" must be an array of strings"#)
            }
            self.stop = stop
        } else {
            stop = []
        }

        if let value = fields["stream"] {
            guard let flag = value as? Bool else {
                throw Invalid(message: #""stream" must be true or false"#)
            }
            stream = flag
        } else {
            stream = false
        }
    }
}

/// The host functions this skill uses, bound to one invocation.
private struct HostCalls {
    let host: UnsafePointer<skill_host>
    let invocation: OpaquePointer?

    /// Sets the message shown for a failed run.
    func setError(_ message: String) {
        var message = message
        message.withUTF8 { utf8 in
            host.pointee.set_error?(invocation, skill_bytes(utf8))
        }
    }

    /// Records an info line with the run.
    func log(_ message: String) {
        var message = message
        message.withUTF8 { utf8 in
            _ = host.pointee.log?(invocation, SKILL_LOG_INFO, skill_bytes(utf8))
        }
    }

    /// Completes `request.prompt`, streaming the text to the output when `request.stream`
    /// says so; on failure, the status `run` must return.
    func complete(_ request: CompletionInput) -> Result<skill_completion, CompletionFailure> {
        guard let completeText = host.pointee.complete_text else {
            setError("this host offers no complete_text")
            return .failure(CompletionFailure(status: SKILL_ERR_UNSUPPORTED))
        }
        // SKILL_COMPLETE_PARAMS_INIT is a macro Swift cannot import: these are its values.
        var params = skill_complete_params(
            struct_size: UInt32(MemoryLayout<skill_complete_params>.size),
            max_tokens: request.maxTokens ?? 0,
            model: nil,
            temperature: request.temperature ?? -1,
            top_p: -1,
            top_k: 0,
            stop_count: UInt32(request.stop.count),
            stop: nil,
            flags: request.stream ? SKILL_COMPLETE_STREAM : 0)
        // The stop strings are copied to C strings that live until complete_text returns.
        let stopStrings: [UnsafeMutablePointer<CChar>?] = request.stop.map { strdup($0) }
        defer { stopStrings.forEach { free($0) } }
        var completion = skill_completion()
        completion.struct_size = UInt32(MemoryLayout<skill_completion>.size)
        var prompt = request.prompt
        let status = stopStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { stop in
            params.stop = request.stop.isEmpty ? nil : stop.baseAddress
            return prompt.withUTF8 { utf8 in
                completeText(invocation, skill_bytes(utf8), &params, &completion)
            }
        }
        guard status == SKILL_OK else {
            // A trapped invocation (SKILL_ERR_ABORTED) already carries its error: the skill
            // only returns, and makes no further host call.
            if status != SKILL_ERR_ABORTED {
                setError("complete_text failed with status \(status)")
            }
            return .failure(CompletionFailure(status: status))
        }
        return .success(completion)
    }

    /// Copies `data` into memory the host frees when the invocation ends; nil when the
    /// host refuses (the invocation was trapped).
    func copy(_ data: Data) -> skill_bytes? {
        guard let allocate = host.pointee.alloc,
              let memory = allocate(invocation, max(data.count, 1))
        else { return nil }
        data.copyBytes(to: memory.assumingMemoryBound(to: UInt8.self), count: data.count)
        return skill_bytes(data: UnsafePointer(memory.assumingMemoryBound(to: CChar.self)), len: data.count)
    }
}

/// A status other than SKILL_OK from `complete_text`, to be returned by `run`.
private struct CompletionFailure: Error {
    let status: skill_status
}

extension skill_bytes {
    /// A view of UTF-8 code units that live at least as long as the view is used.
    fileprivate init(_ utf8: UnsafeBufferPointer<UInt8>) {
        self.init(
            data: UnsafeRawPointer(utf8.baseAddress)?.assumingMemoryBound(to: CChar.self),
            len: utf8.count)
    }

    /// The bytes, as a buffer valid while the host keeps them.
    fileprivate var bufferPointer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: data, count: len)
    }
}
