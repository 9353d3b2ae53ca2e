import Foundation

/// Where an OpenAI-compatible inference server listens, and how to talk to it.
///
/// The description, debug description and mirror (used by `dump`) show the URL, the
/// default model and the timeouts, and only whether an API key is set: never the key.
public struct InferenceEndpoint: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The server's address, such as `http://127.0.0.1:8080`.
    ///
    /// A trailing `/` or `/v1` (as OpenAI client libraries expect) is accepted: both
    /// `http://host:8080` and `http://host:8080/v1/` send completions to
    /// `http://host:8080/v1/completions`. A path prefix before `/v1` is kept.
    public var baseURL: URL
    /// The model sent as `"model"` when a request names none; when both are `nil`
    /// the field is omitted and the server uses the model it has loaded.
    public var defaultModel: String?
    /// A key sent as `Authorization: Bearer <key>`; never shown in descriptions or errors.
    public var apiKey: String?
    /// How long to wait for the TCP connection (including name resolution) before
    /// giving up with ``InferenceError/connectionFailed(endpoint:reason:)``. Default 5 s.
    /// A health check (``OpenAICompatibleClient/checkHealth()``) uses it too.
    public var connectTimeout: Duration
    /// How long a whole request may take, from its start (connecting included) to the
    /// last byte of the answer, before it fails with ``InferenceError/timedOut(endpoint:after:)``
    /// (or, once streamed text has reached the caller,
    /// ``InferenceError/streamInterrupted(endpoint:deliveredChunks:reason:)``). Default 120 s.
    ///
    /// It bounds generation time too, streamed or not: ask for fewer tokens
    /// (``CompletionRequest/maxTokens``) rather than raise this on slow hardware.
    public var requestTimeout: Duration

    /// Creates an endpoint description.
    public init(
        baseURL: URL,
        defaultModel: String? = nil,
        apiKey: String? = nil,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(120)
    ) {
        self.baseURL = baseURL
        self.defaultModel = defaultModel
        self.apiKey = apiKey
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
    }

    /// The URL of an OpenAI API route, such as `completions` or `chat/completions`,
    /// under the normalised `<base>/v1/` root.
    func apiURL(_ route: String) -> URL {
        serverURL("v1/" + route)
    }

    /// The URL of `path` under the server's root: the base URL without a final `/v1`
    /// (`extras/tokenize/count` of `http://host:8080/v1` is `http://host:8080/extras/tokenize/count`).
    func serverURL(_ path: String) -> URL {
        guard var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: true) else {
            return baseURL.appendingPathComponent(path)
        }
        var root = components.path
        while root.hasSuffix("/") { root.removeLast() }
        if root.hasSuffix("/v1") { root.removeLast(3) }
        components.path = root + "/" + path
        return components.url ?? baseURL.appendingPathComponent(path)
    }

    /// A URL made safe to show: any user name, password, query or fragment in it is removed,
    /// since hosted APIs sometimes take a key there (`?api_key=...`).
    public static func displayString(of url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else {
            return "<unprintable URL>"
        }
        guard components.user != nil || components.password != nil || components.query != nil
            || components.fragment != nil
        else { return url.absoluteString }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.url?.absoluteString ?? "<unprintable URL>"
    }

    /// A one-line summary, without the API key.
    public var description: String {
        let model = defaultModel.map { "\"\($0)\"" } ?? "server default"
        let key = apiKey == nil ? "none" : "set"
        return "InferenceEndpoint(\(Self.displayString(of: apiURL(""))), model: \(model), api key: \(key), "
            + "connect timeout: \(connectTimeout), request timeout: \(requestTimeout))"
    }

    /// The same summary as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the API key, so that `dump` and debuggers cannot reveal it.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "baseURL": baseURL,
            "defaultModel": defaultModel as Any,
            "apiKey": apiKey == nil ? "none" : "<redacted>",
            "connectTimeout": connectTimeout,
            "requestTimeout": requestTimeout,
        ])
    }
}
