/// One backend ``InferenceRouter`` can send requests to: an ``InferenceService`` that can
/// also say whether it is up.
///
/// `OpenAICompatibleClient` conforms by asking its server for `GET /v1/models`.
public protocol InferenceBackend: InferenceService {
    /// Succeeds when the backend answers its health probe (`GET /v1/models` for an
    /// OpenAI-compatible server); otherwise throws what went wrong.
    ///
    /// The router probes every endpoint once per ``RoutingPolicy/healthCheckInterval``,
    /// concurrently with requests, so the probe must be cheap and must not generate text.
    /// Cancelling the calling task should abandon the probe promptly; the router stops
    /// waiting for it after its own bound in any case.
    func checkHealth() async throws(InferenceError)
}
