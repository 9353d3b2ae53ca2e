import Foundation
import InferenceDriver
import JSON
import JSONRPC
import Logging
import SkillDaemon
import SkillhostProtocol

/// The `inference.*` methods of docs/PROTOCOL.md: the models and endpoints of the daemon's
/// router, seen and changed at run time. Endpoints attached here last until the daemon
/// stops, reloads included, with the timeouts in force when they were attached; the config
/// file is where endpoints are kept.
struct InferenceMethods: Sendable {
    let router: InferenceRouter
    let configuration: LiveConfiguration
    /// The daemon's environment as it started, where `api_key_env` variables are looked
    /// up (the process's own no longer holds the ones already read).
    let environment: [String: String]
    let logger: Logger

    /// Registers the handlers of these methods.
    func register(in handlers: inout RequestHandlers) {
        handlers.register(InferenceStatusRequest.self) { _, _ in InferenceEncoding.status(of: router) }
        handlers.register(InferenceModelsRequest.self) { _, _ in InferenceEncoding.models(of: router) }
        handlers.register(AttachEndpointRequest.self) { request, call in try await attach(request, call: call) }
        handlers.register(DetachEndpointRequest.self) { request, _ in try detach(name: request.name) }
    }

    /// Adds an endpoint. The API key is read now, by the daemon, from its own environment
    /// or from a file the caller owns; errors name the variable or the file, never a key.
    /// The server is probed first, as the health checks probe it: one that does not answer
    /// is refused (`inference_failed`), unless `force`, when it is attached as unhealthy.
    private func attach(_ request: AttachEndpointRequest, call: JSONRPCCall) async throws -> JSONValue {
        let model = request.model
        guard EndpointConfiguration.isValidName(model) else {
            throw ServiceError.invalidParams("model must be a name without spaces, not \(JSONValue.string(model).serialized())")
        }
        let url: URL
        switch EndpointConfiguration.url(from: request.url) {
        case let .success(parsed): url = parsed
        case let .failure(problem): throw ServiceError.invalidParams("url must be \(problem.expectation)")
        }
        let name = request.name
        if let name, !EndpointConfiguration.isValidName(name) {
            throw ServiceError.invalidParams("name must be without spaces, not \(JSONValue.string(name).serialized())")
        }
        let limit = request.maximumConcurrentRequests.map(Int.init)
            ?? EndpointConfiguration.defaultMaximumConcurrentRequests
        guard limit >= 1 else { throw ServiceError.invalidParams("max_concurrent must be at least 1, not \(limit)") }
        let source: APIKeySource?
        switch (request.apiKeyEnvironmentVariable, request.apiKeyFile) {
        case (_?, _?): throw ServiceError.invalidParams("give api_key_env or api_key_file, not both")
        case let (variable?, nil):
            let peer = try call.localUser(because: "with api_key_env is only for the daemon's own user or root")
            // The daemon's environment holds the keys of its configured endpoints: only its
            // own user may have one of its variables sent to a server of their choosing.
            guard peer.uid == geteuid() || peer.uid == 0 else {
                throw ServiceError(.permissionDenied, "api_key_env reads the daemon's own environment, which only its user "
                    + "(uid \(geteuid())) or root may name; give api_key_file with a file of your own instead")
            }
            source = .environment(variable: variable)
        case let (nil, path?):
            _ = try call.localUser(because: "reads api_key_file as the calling user")
            source = .file(path: path)
        case (nil, nil): source = nil
        }
        let key: String?
        do {
            key = try source?.read(environment: environment, callerUID: call.caller.process?.uid)
        } catch {
            if case .notCallersFile = error { throw ServiceError(.permissionDenied, error.description) }
            throw ServiceError.invalidParams(error.description)
        }
        let settings = configuration.current
        let endpoint = InferenceEndpoint(
            baseURL: url, defaultModel: request.servedModel, apiKey: key,
            connectTimeout: settings.inferenceConnectTimeout, requestTimeout: settings.inferenceRequestTimeout)
        let probed = await router.probe(endpoint)
        if case let .failure(failure) = probed, request.force != true {
            throw ServiceError(.inferenceFailed, "not attached: \(failure.description); to attach it anyway, give force "
                + "(skillctl inference attach --force): it then gets requests once a health check passes")
        }
        let attached = try attach(model: model, named: name, endpoint: endpoint, limit: limit, source: source,
                                  probed: probed)
        source?.withdrawFromEnvironment()
        logger.info("inference endpoint attached", [
            "endpoint": .string(attached.name), "model": .string(attached.model), "url": .string(attached.url),
            "api_key_source": attached.apiKeySource.map(JSONValue.string) ?? .null,
        ])
        return InferenceEncoding.json(attached)
    }

    /// Attaches the endpoint as `name`, or, without one, as the first free `<model>-<n>`.
    private func attach(model: String, named name: String?, endpoint: InferenceEndpoint, limit: Int,
                        source: APIKeySource?, probed: Result<Void, InferenceError>) throws(ServiceError) -> EndpointStatus {
        var number = 1
        while true {
            let candidate = name ?? "\(model)-\(number)"
            do {
                try router.attach(RoutedEndpoint(
                    name: candidate, model: model, endpoint: endpoint, maximumConcurrentRequests: limit,
                    apiKeySource: source?.description), probed: probed)
            } catch .duplicateName where name == nil {
                // Taken, perhaps by an attach that raced this one: the next number.
                number += 1
                continue
            } catch .duplicateName {
                throw ServiceError(.conflict, RoutingError.duplicateName(candidate).description)
            } catch {
                throw .invalidParams(error.description)
            }
            guard let status = router.status().first(where: { $0.name == candidate }) else {
                throw ServiceError(.notFound, "the endpoint \(candidate) was detached as soon as it was attached")
            }
            return status
        }
    }

    /// Removes an endpoint; requests in flight on it finish there.
    private func detach(name: String) throws(ServiceError) -> DetachedEndpoint {
        let detached: RoutedEndpoint
        do {
            detached = try router.detach(name: name)
        } catch {
            throw ServiceError(.notFound, "\(error.description): see `skillctl inference`")
        }
        let url = EndpointConfiguration(name: detached.name, url: detached.endpoint.baseURL).displayURL
        logger.info("inference endpoint detached", [
            "endpoint": .string(detached.name), "model": .string(detached.model), "url": .string(url),
        ])
        return DetachedEndpoint(name: detached.name, model: detached.model, url: url)
    }
}
