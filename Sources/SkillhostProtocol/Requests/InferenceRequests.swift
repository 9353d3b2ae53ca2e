import JSON
import JSONRPC
import SkillhostModel

/// `inference.status`: the router's models and endpoints.
public struct InferenceStatusRequest: SkillhostRequest {
    public static let method = "inference.status"
    public static let summary = "the default model, the models, and every endpoint with its health, load, counts and latencies"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = InferenceStatus

    /// The request; it takes no params.
    public init() {}
}

/// What `inference.status` answers, and `host.status` shows.
public struct InferenceStatus: Codable, Sendable {
    /// The default model, if there is one.
    public var defaultModel: String?
    /// Every model that has an endpoint, sorted.
    public var models: [String]
    /// Endpoint records, by model then name.
    public var endpoints: [JSONValue]

    /// A status as given.
    public init(defaultModel: String?, models: [String], endpoints: [JSONValue]) {
        self.defaultModel = defaultModel
        self.models = models
        self.endpoints = endpoints
    }

    private enum CodingKeys: String, CodingKey {
        case models, endpoints
        case defaultModel = "default_model"
    }
}

/// `inference.models`: each model and how many endpoints serve it.
public struct InferenceModelsRequest: SkillhostRequest {
    public static let method = "inference.models"
    public static let summary = "each model with how many endpoints serve it and how many of those are healthy"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = InferenceModelList

    /// The request; it takes no params.
    public init() {}
}

/// What `inference.models` answers.
public struct InferenceModelList: Codable, Sendable {
    /// The default model, if there is one.
    public var defaultModel: String?
    /// The models.
    public var models: [Model]

    /// An answer as given.
    public init(defaultModel: String?, models: [Model]) {
        self.defaultModel = defaultModel
        self.models = models
    }

    private enum CodingKeys: String, CodingKey {
        case models
        case defaultModel = "default_model"
    }

    /// One model.
    public struct Model: Codable, Sendable {
        /// Its name.
        public var name: String
        /// How many endpoints serve it.
        public var endpoints: Int64
        /// How many of those are healthy.
        public var healthy: Int64

        /// A model as given.
        public init(name: String, endpoints: Int64, healthy: Int64) {
            self.name = name
            self.endpoints = endpoints
            self.healthy = healthy
        }
    }
}

/// `inference.attach`: adds an endpoint until the daemon stops.
public struct AttachEndpointRequest: SkillhostRequest {
    public static let method = "inference.attach"
    public static let summary = "adds an OpenAI-compatible server as an endpoint of a model, until the daemon stops"
    public static let errorKinds: [ErrorKind] = [.conflict, .notFound, .permissionDenied, .inferenceFailed]
    /// The endpoint record.
    public typealias Result = JSONValue

    /// The logical model it serves.
    public var model: String
    /// The server's base URL, http or https, without credentials.
    public var url: String
    /// The endpoint's name; `nil`: `<model>-<n>`.
    public var name: String?
    /// The model name sent to the server; `nil`: the server's own.
    public var servedModel: String?
    /// A variable of the daemon's environment that holds the API key.
    public var apiKeyEnvironmentVariable: String?
    /// The absolute path of a private file of the caller's that holds the API key.
    public var apiKeyFile: String?
    /// Requests sent to it at once; `nil`: 1.
    public var maximumConcurrentRequests: Int64?
    /// Whether to attach it even when it does not answer the probe made first; `nil`: no.
    public var force: Bool?

    /// A request as given.
    public init(model: String, url: String, name: String? = nil, servedModel: String? = nil,
                apiKeyEnvironmentVariable: String? = nil, apiKeyFile: String? = nil,
                maximumConcurrentRequests: Int64? = nil, force: Bool? = nil) {
        self.model = model
        self.url = url
        self.name = name
        self.servedModel = servedModel
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
        self.apiKeyFile = apiKeyFile
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.force = force
    }

    private enum CodingKeys: String, CodingKey {
        case model, url, name, force
        case servedModel = "served_model"
        case apiKeyEnvironmentVariable = "api_key_env"
        case apiKeyFile = "api_key_file"
        case maximumConcurrentRequests = "max_concurrent"
    }
}

/// `inference.detach`: removes an endpoint.
public struct DetachEndpointRequest: SkillhostRequest {
    public static let method = "inference.detach"
    public static let summary = "removes an endpoint; requests in flight on it finish there"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = DetachedEndpoint

    /// The endpoint's name.
    public var name: String

    /// A request as given.
    public init(name: String) {
        self.name = name
    }
}

/// What `inference.detach` answers.
public struct DetachedEndpoint: Codable, Sendable {
    /// The endpoint's name.
    public var name: String
    /// The model it served.
    public var model: String
    /// Its URL.
    public var url: String

    /// An answer as given.
    public init(name: String, model: String, url: String) {
        self.name = name
        self.model = model
        self.url = url
    }
}
