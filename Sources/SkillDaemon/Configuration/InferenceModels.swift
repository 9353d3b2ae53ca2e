/// The models the daemon starts with and the default one, with the single-endpoint
/// shorthand turned into a model: what ``DaemonConfiguration/inferenceModels()`` returns.
public struct InferenceModels: Sendable, Equatable {
    /// The models, sorted by name, each with at least one endpoint.
    public var models: [ModelConfiguration]
    /// The model used when a skill and its caller name none; nil: none (a run that calls
    /// inference must then name its model).
    public var defaultModel: String?

    /// Creates the set.
    public init(models: [ModelConfiguration], defaultModel: String?) {
        self.models = models
        self.defaultModel = defaultModel
    }

    /// Every endpoint of every model, in model order.
    public var endpoints: [(model: String, endpoint: EndpointConfiguration)] {
        models.flatMap { model in model.endpoints.map { (model.name, $0) } }
    }
}
