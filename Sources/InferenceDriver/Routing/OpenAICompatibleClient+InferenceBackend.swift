/// An OpenAI-compatible server is a backend the router can send to: its health probe is
/// ``OpenAICompatibleClient/checkHealth()`` (`GET /v1/models`).
extension OpenAICompatibleClient: InferenceBackend {}
