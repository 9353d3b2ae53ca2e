import InferenceDriver
import JSON
import JSONRPC
import SkillhostProtocol

/// How the `inference.*` methods and `host.status` show the router's endpoints and models
/// (docs/PROTOCOL.md): API key sources, never keys.
enum InferenceEncoding {
    /// An endpoint record: configuration, health, load, counts and latencies in milliseconds.
    static func json(_ endpoint: EndpointStatus) -> JSONValue {
        .object([
            "name": .string(endpoint.name),
            "model": .string(endpoint.model),
            "url": .string(endpoint.url),
            "served_model": endpoint.servedModel.map(JSONValue.string) ?? .null,
            "api_key_source": endpoint.apiKeySource.map(JSONValue.string) ?? .null,
            "healthy": .bool(endpoint.healthy),
            "outstanding": .int(Int64(endpoint.outstanding)),
            "max_concurrent": .int(Int64(endpoint.maximumConcurrentRequests)),
            "requests": .int(Int64(endpoint.requests)),
            "failures": .int(Int64(endpoint.failures)),
            "consecutive_failures": .int(Int64(endpoint.consecutiveFailures)),
            "last_error": endpoint.lastError.map(JSONValue.string) ?? .null,
            "latency_p50_ms": endpoint.latencyP50.map { .double($0.milliseconds) } ?? .null,
            "latency_p99_ms": endpoint.latencyP99.map { .double($0.milliseconds) } ?? .null,
        ])
    }

    /// `inference.status`: the default model, the models with an endpoint, every endpoint.
    static func status(of router: InferenceRouter) -> InferenceStatus {
        InferenceStatus(defaultModel: router.defaultModel, models: router.models(), endpoints: router.status().map(json))
    }

    /// `inference.models`: each model with its number of endpoints and of healthy ones.
    static func models(of router: InferenceRouter) -> InferenceModelList {
        let endpoints = router.status()
        return InferenceModelList(defaultModel: router.defaultModel, models: router.models().map { model in
            let served = endpoints.filter { $0.model == model }
            return InferenceModelList.Model(
                name: model, endpoints: Int64(served.count), healthy: Int64(served.filter(\.healthy).count))
        })
    }
}
