/// A logical model that skills and callers name (`"model": "gemma"`), and the endpoints
/// that serve it: an entry of the config file's `models`.
public struct ModelConfiguration: Sendable, Equatable {
    /// The name requests use.
    public var name: String
    /// The servers it is routed to; at least one.
    public var endpoints: [EndpointConfiguration]

    /// Creates a model configuration.
    public init(name: String, endpoints: [EndpointConfiguration]) {
        self.name = name
        self.endpoints = endpoints
    }
}
