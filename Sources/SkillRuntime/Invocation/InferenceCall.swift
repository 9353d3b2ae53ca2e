import InferenceDriver

/// A valid call of `complete_text` or `chat`: the request to send, and whether the model's
/// text also goes to the run's output as it is generated (`SKILL_COMPLETE_STREAM`).
package struct InferenceCall: Sendable, Equatable {
    /// What to ask the inference service.
    package var request: CompletionRequest
    /// Whether each piece of generated text is written to the run's output as it arrives.
    package var streamsOutput: Bool

    /// A call that asks `request`, writing the generated text to the output when `streamsOutput`.
    package init(request: CompletionRequest, streamsOutput: Bool) {
        self.request = request
        self.streamsOutput = streamsOutput
    }

    /// The CSI function that made the call, for error messages: `complete_text` or `chat`.
    package var function: String {
        switch request.input {
        case .text: "complete_text"
        case .chat: "chat"
        }
    }

    /// How the failure of this call ends the invocation. A request the skill got wrong (it
    /// names a model no endpoint serves, or parameters the service refuses) is an invalid
    /// call, which the skill's author must fix; anything else (the server is down or
    /// broken, the model cannot chat, the stream broke off) is an inference failure.
    package func failure(of error: InferenceError) -> InvocationFailure {
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
