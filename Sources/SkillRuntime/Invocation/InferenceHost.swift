import SkillABI

/// The `complete_text` and `chat` of the CSI as both hosts of an invocation offer them (in
/// this process, ``InvocationContext``; in a worker, ``SkillWorkerInvocation``): refused once
/// the invocation is over, the arguments checked by ``CompletionParameters``, then the call
/// made the host's own way by ``perform(_:result:)``.
package protocol InferenceHost {
    /// The model of a call whose parameters name none (the run's model); nil: the default.
    var defaultModel: String? { get }
    /// Whether the invocation is over for host calls, which then return `SKILL_ERR_ABORTED`.
    var hasEnded: Bool { get }

    /// Makes a call whose arguments were checked, filling the skill's `result` with the
    /// answer; or, when they were invalid, ends the invocation as the host ends it for a
    /// misused host function.
    func perform(_ checked: Result<InferenceCall, CompletionParameters.InvalidCSICall>,
                 result: UnsafeMutablePointer<skill_completion>?) -> skill_status
}

extension InferenceHost {
    /// `host->complete_text`.
    package func completeText(prompt: skill_bytes, params: UnsafePointer<skill_complete_params>?,
                      result: UnsafeMutablePointer<skill_completion>?) -> skill_status
    {
        guard !hasEnded else { return SKILL_ERR_ABORTED }
        return perform(
            CompletionParameters.textCall(prompt: prompt, params: params, result: result, defaultModel: defaultModel),
            result: result)
    }

    /// `host->chat`.
    package func chat(messages: UnsafePointer<skill_chat_message>?, count: Int, params: UnsafePointer<skill_complete_params>?,
              result: UnsafeMutablePointer<skill_completion>?) -> skill_status
    {
        guard !hasEnded else { return SKILL_ERR_ABORTED }
        return perform(
            CompletionParameters.chatCall(messages: messages, count: count, params: params, result: result,
                                          defaultModel: defaultModel),
            result: result)
    }
}
