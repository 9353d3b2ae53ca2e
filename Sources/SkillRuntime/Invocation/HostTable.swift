import SkillABI
import SkillhostModel

/// The `skill_host` table (the CSI) of every host, in this process and in worker processes:
/// C trampolines that find the ``HostServices`` behind the `skill_invocation *` the skill
/// passes back, check the call's arguments, and hand valid calls to the services. A call
/// with invalid arguments is refused (``HostServices/refuse(_:)``) and returns
/// `SKILL_ERR_ABORTED`; every call once the invocation is over returns that and does nothing.
package enum HostTable {
    /// Calls `skill`'s `run` on this thread with `input`, its host calls served by
    /// `services`; returns its status and a copy of the bytes it returned (empty when none).
    package static func run(_ skill: LoadedSkill, input: [UInt8], services: any HostServices) -> (status: skill_status, output: [UInt8]) {
        let binding = Binding(services)
        var host = make()
        var output = skill_bytes(data: nil, len: 0)
        let status = withExtendedLifetime(binding) {
            input.withUnsafeBytes { inputBytes in
                skill.run(
                    host: &host, invocation: OpaquePointer(Unmanaged.passUnretained(binding).toOpaque()),
                    input: skill_bytes(data: inputBytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: inputBytes.count),
                    output: &output)
            }
        }
        let returned = output.len > 0 && output.data != nil
            ? Array(UnsafeRawBufferPointer(start: output.data, count: output.len))
            : []
        return (status, returned)
    }

    /// What a `skill_invocation *` points to: a class, so that one pointer reaches the
    /// services of either host. It lives as long as the `run` it was made for.
    private final class Binding {
        let services: any HostServices

        init(_ services: any HostServices) {
            self.services = services
        }
    }

    /// The services behind a `skill_invocation *` that ``run(_:input:services:)`` handed
    /// out, while they serve calls; nil for NULL, and once the invocation is over.
    private static func serving(_ invocation: OpaquePointer?) -> (any HostServices)? {
        guard let invocation else { return nil }
        let services = Unmanaged<Binding>.fromOpaque(UnsafeRawPointer(invocation)).takeUnretainedValue().services
        return services.hasEnded ? nil : services
    }

    /// A table of every function of this host's ABI version (1.1).
    private static func make() -> skill_host {
        skill_host(
            struct_size: UInt32(MemoryLayout<skill_host>.size),
            abi_major: UInt16(SKILL_ABI_VERSION_MAJOR),
            abi_minor: UInt16(SKILL_ABI_VERSION_MINOR),
            complete_text: { invocation, prompt, params, result in
                guard let services = HostTable.serving(invocation) else { return SKILL_ERR_ABORTED }
                return HostTable.complete(services, CompletionParameters.textCall(
                    prompt: prompt, params: params, result: result, defaultModel: services.defaultModel), into: result)
            },
            write_output: { invocation, chunk in
                guard let services = HostTable.serving(invocation) else { return SKILL_ERR_ABORTED }
                guard let bytes = HostTable.buffer(chunk) else {
                    services.refuse(InvalidCSICall(function: "write_output", reason: "chunk.data is NULL but chunk.len is \(chunk.len)"))
                    return SKILL_ERR_ABORTED
                }
                return services.appendOutput(bytes)
            },
            log: { invocation, level, message in
                guard let services = HostTable.serving(invocation) else { return SKILL_ERR_ABORTED }
                guard let bytes = HostTable.buffer(message) else {
                    services.refuse(InvalidCSICall(function: "log", reason: "message.data is NULL but message.len is \(message.len)"))
                    return SKILL_ERR_ABORTED
                }
                guard let level = RunLogLine.Level(skillLevel: level) else { return SKILL_ERR_UNSUPPORTED }
                return services.appendLog(level: level, message: bytes)
            },
            alloc: { invocation, size in
                guard let services = HostTable.serving(invocation) else { return nil }
                return services.allocate(byteCount: max(size, 1))
            },
            set_error: { invocation, message in
                guard let services = HostTable.serving(invocation) else { return }
                guard let bytes = HostTable.buffer(message) else {
                    services.refuse(InvalidCSICall(function: "set_error", reason: "message.data is NULL but message.len is \(message.len)"))
                    return
                }
                services.keepErrorMessage(bytes)
            },
            chat: { invocation, messages, count, params, result in
                guard let services = HostTable.serving(invocation) else { return SKILL_ERR_ABORTED }
                return HostTable.complete(services, CompletionParameters.chatCall(
                    messages: messages, count: count, params: params, result: result,
                    defaultModel: services.defaultModel), into: result)
            })
    }

    /// The bytes of `bytes`; nil when its data is NULL but its length is not 0.
    private static func buffer(_ bytes: skill_bytes) -> UnsafeRawBufferPointer? {
        guard bytes.len == 0 || bytes.data != nil else { return nil }
        return UnsafeRawBufferPointer(start: bytes.data, count: bytes.len)
    }

    /// `complete_text` and `chat` once their arguments were checked: refuses an invalid
    /// call, else has `services` make it and fills the skill's `result` with the answer,
    /// the text in memory of the invocation.
    private static func complete(_ services: any HostServices, _ checked: Result<InferenceCall, InvalidCSICall>,
                                 into result: UnsafeMutablePointer<skill_completion>?) -> skill_status
    {
        let call: InferenceCall
        switch checked {
        case let .success(valid):
            call = valid
        case let .failure(invalid):
            services.refuse(invalid)
            return SKILL_ERR_ABORTED
        }
        // The check refused a NULL result.
        guard let result, let answer = services.complete(call) else { return SKILL_ERR_ABORTED }
        let delivered = CompletionParameters.deliver(
            text: answer.text, promptTokens: answer.usage.promptTokens, completionTokens: answer.usage.completionTokens,
            into: result, allocate: services.allocate(byteCount:))
        return delivered ? SKILL_OK : SKILL_ERR_ABORTED
    }
}
