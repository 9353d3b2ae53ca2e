/// A request for a plain text completion (`POST /v1/completions`).
///
/// Every optional parameter left `nil` (and `stop` left empty) is omitted from the
/// request body, so the server applies its own default.
public struct CompletionRequest: Sendable, Equatable {
    /// The text the model continues.
    public var prompt: String
    /// The model to use; `nil` uses the endpoint's ``InferenceEndpoint/defaultModel``.
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

    /// Creates a completion request.
    public init(
        prompt: String,
        model: String? = nil,
        maxTokens: Int? = nil,
        temperature: Double? = nil,
        topP: Double? = nil,
        topK: Int? = nil,
        stop: [String] = []
    ) {
        self.prompt = prompt
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
            throw .invalidRequest(reason: "model is empty; pass nil to use the endpoint's default model")
        }
    }
}
