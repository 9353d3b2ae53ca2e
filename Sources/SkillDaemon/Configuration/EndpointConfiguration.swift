import Foundation
import InferenceDriver

/// One OpenAI-compatible server that serves a configured model: an entry of a model's
/// `endpoints` in the config file, or the endpoint `inference.attach` adds.
public struct EndpointConfiguration: Sendable, Equatable {
    /// The requests one endpoint takes at once when its configuration says nothing
    /// (`max_concurrent`): one, as a llama.cpp server generates for one request at a time;
    /// raise it for servers with parallel slots and for hosted APIs.
    public static let defaultMaximumConcurrentRequests = 1

    /// The endpoint's name, unique among all endpoints (`name`; default `<model>-<n>`).
    public var name: String
    /// The server's base URL (`url`), http or https.
    public var url: URL
    /// The model name sent to the server (`served_model`); nil: the server's own.
    public var servedModel: String?
    /// Where its API key comes from (`api_key_env` or `api_key_file`); nil: none is sent.
    public var apiKey: APIKeySource?
    /// How many requests it is sent at once (`max_concurrent`), at least 1.
    public var maximumConcurrentRequests: Int

    /// Creates an endpoint configuration.
    public init(name: String, url: URL, servedModel: String? = nil, apiKey: APIKeySource? = nil,
                maximumConcurrentRequests: Int = Self.defaultMaximumConcurrentRequests) {
        self.name = name
        self.url = url
        self.servedModel = servedModel
        self.apiKey = apiKey
        self.maximumConcurrentRequests = maximumConcurrentRequests
    }

    /// The URL made safe to show and to log: without user name, password, query or fragment.
    public var displayURL: String {
        InferenceEndpoint.displayString(of: url)
    }

    /// `text` as an endpoint URL: http or https, with a host, and no user name or password
    /// (credentials belong in `api_key_env` or `api_key_file`, where they are kept secret).
    /// - Returns: the URL, or what is wrong with `text`.
    package static func url(from text: String) -> Result<URL, EndpointURLProblem> {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty
        else { return .failure(.notHTTP) }
        guard url.user == nil, url.password == nil else { return .failure(.credentials) }
        return .success(url)
    }

    /// Whether `name` can name an endpoint or a model: not empty, no whitespace or control
    /// characters.
    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { !CharacterSet.whitespacesAndNewlines.contains($0) && $0.value >= 0x20 }
    }
}

/// Why a text is not an endpoint URL.
package enum EndpointURLProblem: Error {
    /// Not an http:// or https:// URL with a host.
    case notHTTP
    /// It holds a user name or a password.
    case credentials

    /// What the URL must be, to complete "`url` must be ...".
    package var expectation: String {
        switch self {
        case .notHTTP: "an http:// or https:// URL with a host"
        case .credentials: "a URL without a user name or password (give the key with api_key_env or api_key_file)"
        }
    }
}
