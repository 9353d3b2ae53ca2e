import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An ``InferenceService`` backed by one OpenAI-compatible HTTP server, such as
/// llama.cpp's server.
///
/// ## Timeouts
/// Three bounds apply, each documented where it is set:
/// - ``InferenceEndpoint/connectTimeout``: enforced by the client. If no byte of the
///   request has gone out when it expires, no TCP connection was made, and the request
///   fails with ``InferenceError/connectionFailed(endpoint:reason:)``.
/// - ``InferenceEndpoint/requestTimeout``: enforced by the client over the whole
///   exchange, by racing the request against a timer; the loser is cancelled.
/// - `URLSession`'s own timer: on Linux an *idle* timer (restarted whenever bytes move,
///   counted in whole seconds) that cannot tell connecting from waiting for an answer.
///   A non-streaming completion is silent until generation ends, so any idle bound
///   shorter than the request timeout would kill long generations. It is therefore set
///   just above the request timeout, as a backstop only.
///
/// Every client shares one ephemeral `URLSession` (no cookies, cache or credential store)
/// that lives as long as the process: on Linux, tearing a session down while libcurl
/// closes its sockets races the `DispatchSource`s that watch them and can crash the
/// process in libdispatch (swift-corelibs-foundation#4791 and its family), most often after
/// refused connections and timeouts, exactly what an inference client meets.
public final class OpenAICompatibleClient: InferenceService {
    /// The server this client talks to.
    public let endpoint: InferenceEndpoint

    /// The process's one session for inference requests.
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        // Each request sets its own idle backstop; the resource bound only has to stay out
        // of the way of every client's own request timeout.
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        // Requests beyond this limit queue inside the session without connecting, which
        // the connect timeout would mistake for an unreachable server. A local model
        // server serialises generation anyway; the limit only needs to exceed the number
        // of requests in flight.
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration)
    }()

    /// URLSession's idle timer for this client's requests: a backstop only (see the type's
    /// documentation). Foundation on Linux truncates to whole seconds, so it is rounded up
    /// and one added: the client's own deadline fires first.
    private let idleBackstop: TimeInterval

    /// Creates a client for `endpoint`. No connection is made until the first request.
    public init(endpoint: InferenceEndpoint) {
        self.endpoint = endpoint
        idleBackstop = max(endpoint.requestTimeout.timeInterval.rounded(.up) + 1, 2)
    }

    /// Sends `request` to `<base>/v1/completions` (a prompt) or `<base>/v1/chat/completions`
    /// (a chat) and returns `choices[0]`. `onChunk`, when given, receives the whole text at
    /// once when the answer is complete.
    ///
    /// - Throws: ``InferenceError/invalidRequest(reason:)`` before sending anything when
    ///   a parameter is out of range; otherwise the transport, HTTP, parsing, timeout or
    ///   cancellation error that ended the request.
    public func complete(
        _ request: CompletionRequest, onChunk: (@Sendable (String) -> Void)?
    ) async throws(InferenceError) -> Completion {
        try request.validate()
        let isChat = if case .chat = request.input { true } else { false }
        let url = endpoint.apiURL(isChat ? "chat/completions" : "completions")
        let body = CompletionRequestBody(request, defaultModel: endpoint.defaultModel).encoded()
        let data = try await post(body, to: url)
        switch CompletionResponseBody.completion(from: data) {
        case let .success(completion):
            if isChat, completion.text.isEmpty, completion.usage.completionTokens == 0 {
                throw .noChatTemplate(endpoint: InferenceEndpoint.displayString(of: url), model: completion.model)
            }
            onChunk?(completion.text)
            return completion
        case let .failure(reason):
            throw .malformedResponse(endpoint: InferenceEndpoint.displayString(of: url), reason: reason.description)
        }
    }
}

// MARK: - One exchange

extension OpenAICompatibleClient {
    /// What ended the race between a transfer and its deadlines.
    private enum RaceResult: Sendable {
        case transfer(TransferOutcome)
        case connectionConfirmed
        case connectDeadlinePassed
        case requestDeadlinePassed
        case cancelled
    }

    /// POSTs a JSON body and returns the body of a 2xx answer.
    private func post(_ body: Data, to url: URL) async throws(InferenceError) -> Data {
        var urlRequest = URLRequest(url: url)
        urlRequest.timeoutInterval = idleBackstop
        urlRequest.httpMethod = "POST"
        urlRequest.httpBody = body
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        urlRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        if let apiKey = endpoint.apiKey {
            urlRequest.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        }

        let displayURL = InferenceEndpoint.displayString(of: url)
        switch await race(urlRequest) {
        case let .transfer(.response(response, data)):
            guard (200..<300).contains(response.statusCode) else {
                let excerpt = BodyExcerpt(data, redacting: endpoint.apiKey).description
                if response.statusCode == 429 {
                    let retryAfter = response.value(forHTTPHeaderField: "Retry-After")
                        .flatMap(Double.init).map { Duration.milliseconds(Int64($0 * 1000)) }
                    throw .rateLimited(endpoint: displayURL, retryAfter: retryAfter, bodyExcerpt: excerpt)
                }
                throw .httpStatus(endpoint: displayURL, status: response.statusCode, bodyExcerpt: excerpt)
            }
            return data
        case let .transfer(.failed(error)):
            throw inferenceError(for: error, displayURL: displayURL)
        case .transfer(.cancelled), .cancelled,
             .connectionConfirmed:  // never wins: `race` waits on past it
            throw .cancelled
        case .connectDeadlinePassed:
            throw .connectionFailed(
                endpoint: displayURL,
                reason: "no connection within \(endpoint.connectTimeout) (is the host up and the port right?)")
        case .requestDeadlinePassed:
            throw .timedOut(endpoint: displayURL, after: endpoint.requestTimeout)
        }
    }

    /// Runs the transfer against the connect and request deadlines; the first to finish
    /// wins and the others are cancelled (cancelling the transfer closes its connection).
    private func race(_ urlRequest: URLRequest) async -> RaceResult {
        let transfer = URLSessionTransfer()
        let session = Self.session
        let connectTimeout = endpoint.connectTimeout
        let requestTimeout = endpoint.requestTimeout
        return await withTaskGroup(of: RaceResult.self) { group in
            group.addTask {
                .transfer(await transfer.run(urlRequest, on: session))
            }
            group.addTask {
                guard (try? await Task.sleep(for: requestTimeout)) != nil else { return .cancelled }
                return .requestDeadlinePassed
            }
            if connectTimeout < requestTimeout {
                group.addTask {
                    guard (try? await Task.sleep(for: connectTimeout)) != nil else { return .cancelled }
                    return transfer.hasSentRequest ? .connectionConfirmed : .connectDeadlinePassed
                }
            }
            var winner = RaceResult.cancelled
            while let result = await group.next() {
                if case .connectionConfirmed = result { continue }
                winner = result
                break
            }
            group.cancelAll()
            return winner
        }
    }

    /// Maps a transport failure to an error that says what to check.
    private func inferenceError(for error: URLError, displayURL: String) -> InferenceError {
        let host = endpoint.baseURL.host ?? "the host"
        let reason: String
        switch error.code {
        case .cannotConnectToHost:
            reason = "connection refused"
        case .cannotFindHost, .dnsLookupFailed:
            reason = "the host name \"\(host)\" does not resolve"
        case .networkConnectionLost:
            reason = "the connection was closed or reset before the answer was complete"
        case .notConnectedToInternet:
            reason = "no network is available"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid:
            reason = "the TLS handshake failed (\(error.code.rawValue))"
        case .timedOut:
            return .timedOut(endpoint: displayURL, after: endpoint.requestTimeout)
        case .badServerResponse:
            return .malformedResponse(endpoint: displayURL, reason: "the answer is not valid HTTP")
        default:
            reason = "URL error \(error.code.rawValue): \(error.localizedDescription)"
        }
        return .connectionFailed(endpoint: displayURL, reason: reason)
    }
}

extension Duration {
    /// The duration in seconds, for Foundation APIs.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
