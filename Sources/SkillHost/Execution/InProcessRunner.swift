import Dispatch
import Foundation
import InferenceDriver
import Registry
import SkillABI
import Synchronization

/// Runs skills on threads of the daemon: microsecond overhead, for skills the operator
/// trusts. A thread cannot be stopped safely, so a trapped invocation resumes its caller at
/// once and the skill's thread is left to notice `SKILL_ERR_ABORTED` and return; a skill
/// that never returns keeps its thread. Untrusted skills belong in process isolation.
public final class InProcessRunner: SkillRunner {
    /// Stack size of the thread each invocation runs on; C skills expect a process-like stack.
    static let skillThreadStackSize = 8 << 20

    private let inference: any InferenceService
    private let limits: InvocationLimits
    /// Loaded instances by content hash: each skill file is opened and initialised once.
    private let instances = Mutex<[String: LoadedSkill]>([:])

    /// Creates a runner whose skills reach inference through `inference`.
    public init(inference: any InferenceService, limits: InvocationLimits = InvocationLimits()) {
        self.inference = inference
        self.limits = limits
    }

    public func run(skillPath: String, sha256: String, invocation: Invocation) async -> InvocationReport {
        let skill: LoadedSkill
        do {
            skill = try instance(path: skillPath, sha256: sha256)
        } catch {
            return InvocationReport(outcome: .failure(.loadFailed(message: error.description)), usage: .zero, logs: [])
        }
        let context = InvocationContext(inference: inference, model: invocation.model, limits: limits)
        let timeout = invocation.timeout
        // The deadline is a Dispatch timer, not a sleeping task: it must fire on time even
        // when blocking work (SQLite, a slow client) holds the few threads of the Swift pool.
        let deadline = DispatchWorkItem { context.trap(.timedOut(after: timeout)) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval, execute: deadline)
        defer { deadline.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard context.begin(continuation) else { return }
                let input = invocation.input
                let thread = Thread {
                    Self.execute(skill, context: context, input: input)
                }
                thread.stackSize = Self.skillThreadStackSize
                thread.name = "skill \(skill.manifest.name)"
                thread.start()
            }
        } onCancel: {
            context.trap(.cancelled(reason: "the caller went away"))
        }
    }

    public func evict(sha256: String) {
        _ = instances.withLock { $0.removeValue(forKey: sha256) }
    }

    private func instance(path: String, sha256: String) throws(SkillLoadError) -> LoadedSkill {
        if let loaded = instances.withLock({ $0[sha256] }) {
            return loaded
        }
        let loaded = try SkillLoader.load(path: path)
        return instances.withLock { instances in
            if let raced = instances[sha256] { return raced }
            instances[sha256] = loaded
            return loaded
        }
    }

    /// The body of a skill thread: builds the host table, calls `run`, hands the result to
    /// the context, and frees the invocation's memory once the skill is done with it.
    private static func execute(_ skill: LoadedSkill, context: InvocationContext, input: [UInt8]) {
        var host = HostTable.make()
        var output = skill_bytes(data: nil, len: 0)
        let status = input.withUnsafeBytes { inputBytes in
            skill.run(
                host: &host, invocation: context.opaquePointer,
                input: skill_bytes(data: inputBytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: inputBytes.count),
                output: &output)
        }
        let returned = output.len > 0 && output.data != nil
            ? Array(UnsafeRawBufferPointer(start: output.data, count: output.len))
            : []
        context.skillReturned(status: status, output: returned)
        context.releaseMemory()
    }
}
