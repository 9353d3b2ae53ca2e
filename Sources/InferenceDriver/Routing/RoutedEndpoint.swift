import Foundation

/// An endpoint as ``InferenceRouter`` knows it: a server, the logical model it serves,
/// and how many requests it takes at once.
///
/// Its description and mirror show the endpoint's URL and only whether an API key is set
/// (through ``InferenceEndpoint``'s own redacting description), never the key.
public struct RoutedEndpoint: Sendable {
    /// The endpoint's name, unique among all attached endpoints, such as `gemma-1`.
    public var name: String
    /// The logical model name that requests use (``CompletionRequest/model``) to reach this
    /// endpoint; every endpoint serving the same model shares it.
    public var model: String
    /// Where the server listens and how to talk to it: URL, key and timeouts. Its
    /// ``InferenceEndpoint/defaultModel`` is the model name the *server* knows, sent with
    /// every request routed here; it may differ from ``model``.
    public var endpoint: InferenceEndpoint
    /// How many requests the router sends to this endpoint at once; at least 1. Further
    /// requests wait for a slot (on this endpoint or another serving the same model).
    public var maximumConcurrentRequests: Int
    /// Where the API key comes from, for display only, such as `env:OPENAI_API_KEY` or
    /// `file:/etc/skillhost/openai.key`; never the key itself.
    public var apiKeySource: String?

    /// Creates an endpoint description. The default limit of one request at a time suits
    /// a local llama.cpp server, which generates for one request at a time anyway.
    public init(
        name: String,
        model: String,
        endpoint: InferenceEndpoint,
        maximumConcurrentRequests: Int = 1,
        apiKeySource: String? = nil
    ) {
        self.name = name
        self.model = model
        self.endpoint = endpoint
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.apiKeySource = apiKeySource
    }

    /// Checks the fields the router relies on.
    ///
    /// - Throws: ``RoutingError/invalid(_:)`` naming the first bad field.
    func validate() throws(RoutingError) {
        if name.isEmpty || name.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw .invalid("the endpoint name \"\(name)\" must be non-empty and without spaces, such as gemma-1")
        }
        if model.isEmpty {
            throw .invalid("the endpoint \"\(name)\" names no model; give the logical model name requests use")
        }
        if maximumConcurrentRequests < 1 {
            throw .invalid("the endpoint \"\(name)\" allows \(maximumConcurrentRequests) concurrent requests; "
                + "it must allow at least 1")
        }
    }

    /// The base URL made safe to show: no user name, password, query or fragment, where
    /// credentials could hide.
    var displayURL: String {
        InferenceEndpoint.displayString(of: endpoint.baseURL)
    }
}
