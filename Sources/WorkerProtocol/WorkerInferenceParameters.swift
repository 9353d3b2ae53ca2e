import InferenceDriver
import SkillABI
import SkillRuntime

/// The parameters of a `complete_call` or `chat_call` as they travel between a worker and
/// the daemon: the ABI's values, with its "default" values for what a request leaves to the
/// server (docs/WORKER-PROTOCOL.md).
package struct WorkerInferenceParameters: Equatable, Sendable {
    /// The model; empty: the run's model.
    package var model: String
    /// The most tokens to generate; 0: the server's default.
    var maxTokens: Int32
    /// The sampling temperature; negative: the server's default.
    package var temperature: Double
    /// The nucleus sampling mass; negative: the server's default.
    var topP: Double
    /// Top-k sampling; 0: the server's default.
    var topK: Int32
    /// Stop sequences.
    package var stop: [String]
    /// `SKILL_COMPLETE_*` bits.
    package var flags: UInt32

    /// Parameters as given.
    package init(model: String = "", maxTokens: Int32 = 0, temperature: Double = -1, topP: Double = -1, topK: Int32 = 0,
         stop: [String] = [], flags: UInt32 = 0)
    {
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.stop = stop
        self.flags = flags
    }

    /// The parameters of a checked call, in the ABI's terms.
    package init(_ call: InferenceCall) {
        let request = call.request
        self.init(model: request.model ?? "", maxTokens: Int32(clamping: request.maxTokens ?? 0),
                  temperature: request.temperature ?? -1, topP: request.topP ?? -1,
                  topK: Int32(clamping: request.topK ?? 0), stop: request.stop,
                  flags: call.streamsOutput ? UInt32(SKILL_COMPLETE_STREAM) : 0)
    }

    /// The call these parameters ask for on `input`, with `runModel` when they name no model.
    package func call(input: CompletionRequest.Input, runModel: String?) -> InferenceCall {
        InferenceCall(
            request: CompletionRequest(
                input: input, model: model.isEmpty ? runModel : model, maxTokens: maxTokens > 0 ? Int(maxTokens) : nil,
                temperature: temperature < 0 ? nil : temperature, topP: topP < 0 ? nil : topP,
                topK: topK > 0 ? Int(topK) : nil, stop: stop),
            streamsOutput: flags & UInt32(SKILL_COMPLETE_STREAM) != 0)
    }
}
