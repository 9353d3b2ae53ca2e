import InferenceDriver

/// A valid call of `complete_text` or `chat`: the request to send, and whether the model's
/// text also goes to the run's output as it is generated (`SKILL_COMPLETE_STREAM`).
struct InferenceCall: Sendable, Equatable {
    /// What to ask the inference service.
    var request: CompletionRequest
    /// Whether each piece of generated text is written to the run's output as it arrives.
    var streamsOutput: Bool

    /// The CSI function that made the call, for error messages: `complete_text` or `chat`.
    var function: String {
        switch request.input {
        case .text: "complete_text"
        case .chat: "chat"
        }
    }

    /// How the failure of this call ends the invocation. A request the skill got wrong (it
    /// names a model no endpoint serves, or parameters the service refuses) is an invalid
    /// call, which the skill's author must fix; anything else (the server is down or
    /// broken, the model cannot chat, the stream broke off) is an inference failure.
    func failure(of error: InferenceError) -> InvocationFailure {
        switch error {
        case let .invalidRequest(reason):
            .invalidCSICall(function: function, reason: reason)
        case .unknownModel:
            .invalidCSICall(function: function, reason: error.description)
        default:
            .inferenceFailed(cause: error.description)
        }
    }
}
