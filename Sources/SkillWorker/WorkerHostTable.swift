import SkillABI

/// The `skill_host` table (the CSI) of a worker process: C trampolines that find the
/// ``SkillWorkerInvocation`` behind the `skill_invocation *` the skill passes back.
enum WorkerHostTable {
    /// A table of every function of this host's ABI version (1.1).
    static func make() -> skill_host {
        skill_host(
            struct_size: UInt32(MemoryLayout<skill_host>.size),
            abi_major: UInt16(SKILL_ABI_VERSION_MAJOR),
            abi_minor: UInt16(SKILL_ABI_VERSION_MINOR),
            complete_text: { invocation, prompt, params, result in
                guard let invocation else { return SKILL_ERR_ABORTED }
                return SkillWorkerInvocation.from(invocation).completeText(prompt: prompt, params: params, result: result)
            },
            write_output: { invocation, chunk in
                guard let invocation else { return SKILL_ERR_ABORTED }
                return SkillWorkerInvocation.from(invocation).writeOutput(chunk)
            },
            log: { invocation, level, message in
                guard let invocation else { return SKILL_ERR_ABORTED }
                return SkillWorkerInvocation.from(invocation).log(level: level, message: message)
            },
            alloc: { invocation, size in
                guard let invocation else { return nil }
                return SkillWorkerInvocation.from(invocation).allocate(size: size)
            },
            set_error: { invocation, message in
                guard let invocation else { return }
                SkillWorkerInvocation.from(invocation).setError(message)
            },
            chat: { invocation, messages, count, params, result in
                guard let invocation else { return SKILL_ERR_ABORTED }
                return SkillWorkerInvocation.from(invocation).chat(messages: messages, count: count, params: params, result: result)
            })
    }
}
