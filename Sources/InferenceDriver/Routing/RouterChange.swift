/// A change of an ``InferenceRouter``'s endpoints, default model and policy, applied in
/// one step by ``InferenceRouter/reconfigure(_:)``: how a reload of the daemon's
/// configuration reaches the router.
public struct RouterChange: Sendable {
    /// The names of the endpoints to detach.
    public var detaching: [String]
    /// The endpoints to attach, once those are detached: a replaced endpoint is in both.
    public var attaching: [RoutedEndpoint]
    /// The model for requests that name none from now on.
    public var defaultModel: String?
    /// The retries and health checks from now on.
    public var policy: RoutingPolicy

    /// Creates a change.
    public init(detaching: [String], attaching: [RoutedEndpoint], defaultModel: String?, policy: RoutingPolicy) {
        self.detaching = detaching
        self.attaching = attaching
        self.defaultModel = defaultModel
        self.policy = policy
    }
}
