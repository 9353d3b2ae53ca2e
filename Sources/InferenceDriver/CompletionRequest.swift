/// A request for generated text: a plain completion of a prompt (`POST /v1/completions`)
/// or the next message of a chat (`POST /v1/chat/completions`), with the same sampling
/// parameters for both.
///
/// Every optional parameter left `nil` (and `stop` left empty) is omitted from the
/// request body, so the server applies its own default.
public struct CompletionRequest: Sendable, Equatable {
    /// What the model continues.
    public enum Input: Sendable, Equatable {
        /// A prompt the model continues as plain text.
        case text(String)
        /// A conversation the model answers with one assistant message.
        case chat([ChatMessage])
    }

    /// What the model continues: a prompt or a chat.
    public var input: Input
    /// The model to use; `nil` uses the default (an endpoint's
    /// ``InferenceEndpoint/defaultModel``, or a router's default model).
    public var model: String?
    /// The most tokens to generate (`max_tokens`); must not be negative.
    public var maxTokens: Int?
    /// The sampling temperature; must be finite and not negative.
    public var temperature: Double?
    /// The nucleus sampling mass (`top_p`); must lie in (0, 1].
    public var topP: Double?
    /// How many of the most likely tokens to sample from (`top_k`); must not be negative.
    public var topK: Int?
    /// Sequences that end the generation when produced; none may be empty.
    public var stop: [String]

    /// Creates a request to continue `prompt` as plain text.
    public init(
        prompt: String,
        model: String? = nil,
        maxTokens: Int? = nil,
        temperature: Double? = nil,
        topP: Double? = nil,
        topK: Int? = nil,
        stop: [String] = []
    ) {
        self.init(input: .text(prompt), model: model, maxTokens: maxTokens, temperature: temperature,
                  topP: topP, topK: topK, stop: stop)
    }

    /// Creates a request for the assistant's answer to `messages`.
    public init(
        messages: [ChatMessage],
        model: String? = nil,
        maxTokens: Int? = nil,
        temperature: Double? = nil,
        topP: Double? = nil,
        topK: Int? = nil,
        stop: [String] = []
    ) {
        self.init(input: .chat(messages), model: model, maxTokens: maxTokens, temperature: temperature,
                  topP: topP, topK: topK, stop: stop)
    }

    /// Creates a request for `input`.
    public init(
        input: Input,
        model: String?,
        maxTokens: Int?,
        temperature: Double?,
        topP: Double?,
        topK: Int?,
        stop: [String]
    ) {
        self.input = input
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.stop = stop
    }

    /// Checks the parameters before anything is sent.
    ///
    /// - Throws: ``InferenceError/invalidRequest(reason:)`` naming the first bad parameter.
    public func validate() throws(InferenceError) {
        if let maxTokens, maxTokens < 0 {
            throw .invalidRequest(reason: "maxTokens is \(maxTokens); it must be 0 or more")
        }
        if let temperature, !(temperature.isFinite && temperature >= 0) {
            throw .invalidRequest(reason: "temperature is \(temperature); it must be a finite number, 0 or more")
        }
        if let topP, !(topP > 0 && topP <= 1) {
            throw .invalidRequest(reason: "topP is \(topP); it must lie in (0, 1]")
        }
        if let topK, topK < 0 {
            throw .invalidRequest(reason: "topK is \(topK); it must be 0 (disabled) or more")
        }
        if let index = stop.firstIndex(of: "") {
            throw .invalidRequest(reason: "stop sequence \(index) is empty; remove it or give it text")
        }
        if let model, model.isEmpty {
            throw .invalidRequest(reason: "model is empty; pass nil to use the default model")
        }
        if case let .chat(messages) = input {
            guard !messages.isEmpty else {
                throw .invalidRequest(reason: "the chat has no messages; give at least one")
            }
            if let index = messages.firstIndex(where: { $0.role.isEmpty }) {
                throw .invalidRequest(reason: "chat message \(index) has an empty role; use system, user or assistant")
            }
        }
    }
}
