import Foundation

/// An ``InferenceService`` backed by one OpenAI-compatible HTTP server, such as
/// llama.cpp's server: text completions (`/v1/completions`), chat completions
/// (`/v1/chat/completions`), each whole or streamed, and a health probe (`/v1/models`).
///
/// ## Transports
/// - `http://` goes over the driver's own HTTP/1.1 client on POSIX sockets: each request
///   runs on a thread of its own (never on Swift's cooperative pool), on a connection of
///   its own (`Connection: close`), and delivers the answer as it arrives. Cancelling the
///   calling task wakes that thread at once and closes the connection.
/// - `https://` goes over one process-wide `URLSession`, with the answer delivered as it
///   arrives through its data delegate. `URLSession` is not used for `http://` because, on
///   Linux, FoundationNetworking can crash the process in libdispatch when a connection is
///   refused, times out or is cancelled while connecting: a known fault of Foundation on
///   Linux, which the socket transport does not have.
///
/// ## Timeouts
/// - ``InferenceEndpoint/connectTimeout`` bounds name resolution and the TCP connection
///   (over `https://`: until some of the request has gone out or the answer has begun).
///   When it expires the request fails with ``InferenceError/connectionFailed(endpoint:reason:)``,
///   which may be retried elsewhere: nothing reached the server. (A connection lost later,
///   before any answer, is a `connectionFailed` too, and is retried: see
///   ``InferenceError/isRetryable``.)
/// - ``InferenceEndpoint/requestTimeout`` bounds the whole exchange, from its start to the
///   last byte of the answer, streamed or not; when it expires the request fails with
///   ``InferenceError/timedOut(endpoint:after:)`` (or, once text has been streamed,
///   ``InferenceError/streamInterrupted(endpoint:deliveredChunks:reason:)``).
/// - ``checkHealth()`` uses the connect timeout and at most ``healthCheckTimeout`` overall.
///
/// Over `http://` both bounds are `poll(2)` deadlines of the request's thread; over
/// `https://` they are Dispatch timers that cancel the `URLSession` task.
public final class OpenAICompatibleClient: InferenceService {
    /// The longest a health check may take (less if the endpoint's request timeout is shorter).
    public static let healthCheckTimeout = Duration.seconds(5)
    /// The most bytes of an answer kept in memory: a larger answer is malformed.
    static let answerLimit = 16 << 20
    /// The most bytes of the model list read by a health check; the rest is not read.
    static let healthAnswerLimit = 64 << 10

    /// The server this client talks to.
    public let endpoint: InferenceEndpoint
    private let transport: any HTTPTransport

    /// Creates a client for `endpoint`. No connection is made until the first request.
    public convenience init(endpoint: InferenceEndpoint) {
        self.init(endpoint: endpoint, transport: Self.defaultTransport(for: endpoint.baseURL))
    }

    /// Creates a client for `endpoint` that sends its requests over `transport`.
    init(endpoint: InferenceEndpoint, transport: any HTTPTransport) {
        self.endpoint = endpoint
        self.transport = transport
    }

    /// The transport for a base URL: the driver's own for `http://`, `URLSession` otherwise.
    static func defaultTransport(for baseURL: URL) -> any HTTPTransport {
        baseURL.scheme?.lowercased() == "http" ? SocketHTTPTransport() : URLSessionHTTPTransport.shared
    }

    /// Sends `request` to `<base>/v1/completions` (a prompt) or `<base>/v1/chat/completions`
    /// (a chat) and returns `choices[0]`.
    ///
    /// With `onChunk`, the request asks for a stream (`"stream": true`, with
    /// `"stream_options": {"include_usage": true}`) and `onChunk` receives each non-empty
    /// piece of text as its server-sent event arrives, on the transport's thread. The
    /// returned completion holds the whole text and the finish reason; its usage is the
    /// server's, if it sent a usage event, and otherwise counts one completion token per
    /// piece of text, and the prompt's tokens as the server's tokenizer counts them
    /// (``promptTokenCount(_:model:)``; 0 when it cannot). A server that answers a streamed request with
    /// plain JSON is understood too: `onChunk` then receives the whole text at once, on the
    /// calling task, before this method returns.
    ///
    /// - Throws: ``InferenceError/invalidRequest(reason:)`` before sending anything when a
    ///   parameter or the endpoint is unusable; ``InferenceError/noChatTemplate(endpoint:model:)``
    ///   when a chat produced no text at all (no content and no completion tokens, or a
    ///   stream without any text); ``InferenceError/rateLimited(endpoint:retryAfter:bodyExcerpt:)``
    ///   for HTTP 429; ``InferenceError/streamInterrupted(endpoint:deliveredChunks:reason:)``
    ///   for any failure once `onChunk` has been called before a finish reason arrived,
    ///   including a stream that ends without one (with or without `[DONE]`); otherwise the
    ///   connection, HTTP status, parsing, timeout or cancellation error that ended the request.
    public func complete(
        _ request: CompletionRequest, onChunk: (@Sendable (String) -> Void)?
    ) async throws(InferenceError) -> Completion {
        do throws(InferenceError) {
            return try await exchangeCompletion(request, onChunk: onChunk)
        } catch {
            // Servers echo keys back ("invalid api key sk-..."), in bodies, stream errors and
            // reasons alike: no text of an error leaves the client with the key in it.
            throw error.redacting(endpoint.apiKey)
        }
    }

    /// ``complete(_:onChunk:)`` before the key is blanked out of its errors.
    private func exchangeCompletion(
        _ request: CompletionRequest, onChunk: (@Sendable (String) -> Void)?
    ) async throws(InferenceError) -> Completion {
        try request.validate()
        try checkEndpoint()
        let isChat = if case .chat = request.input { true } else { false }
        let url = endpoint.apiURL(isChat ? "chat/completions" : "completions")
        let answer = AnswerContext(
            endpoint: InferenceEndpoint.displayString(of: url), apiKey: endpoint.apiKey, isChat: isChat,
            requestedModel: request.model ?? endpoint.defaultModel ?? "")
        let httpRequest = HTTPRequest(
            method: .post, url: url,
            headers: headers(accepting: onChunk == nil ? "application/json" : "text/event-stream", sendingJSON: true),
            body: CompletionRequestBody(request, defaultModel: endpoint.defaultModel, streamed: onChunk != nil).encoded(),
            connectTimeout: endpoint.connectTimeout, timeout: endpoint.requestTimeout)

        guard let onChunk else {
            let receiver = BufferingResponseReceiver(bodyLimit: Self.answerLimit)
            if let failure = await exchange(httpRequest, receiver: receiver) {
                throw answer.error(for: failure)
            }
            return try answer.completion(from: receiver.response)
        }
        let receiver = CompletionStreamReceiver(bodyLimit: Self.answerLimit, onChunk: onChunk)
        let failure = await exchange(httpRequest, receiver: receiver)
        let outcome = receiver.outcome
        var completion = try answer.streamedCompletion(
            from: outcome, deliveredChunks: receiver.deliveredChunks, failure: failure, onChunk: onChunk)
        if case .streamed(let assembler, _) = outcome, assembler.usage == nil, case .text(let prompt) = request.input,
           let count = await promptTokenCount(prompt, model: request.model ?? endpoint.defaultModel) {
            completion.usage.promptTokens = count
        }
        return completion
    }

    /// The tokens of `prompt` as the server's tokenizer counts them, for a stream that came
    /// without a usage event: llama-cpp-python's server sends none, whatever
    /// `stream_options` asks, and counts tokens at `POST /extras/tokenize/count`
    /// (`{"input", "model"}` → `{"count"}`), as it counts a completion's prompt. `nil` when
    /// the server has no such route, or does not answer within the request timeout: a
    /// server busy with other generations answers only after them, and a run's record
    /// should not say 0 prompt tokens for that.
    private func promptTokenCount(_ prompt: String, model: String?) async -> Int? {
        struct Body: Encodable {
            var input: String
            var model: String?
        }
        struct Count: Decodable {
            var count: Int
        }
        guard let body = try? JSONEncoder().encode(Body(input: prompt, model: model)) else { return nil }
        let request = HTTPRequest(
            method: .post, url: endpoint.serverURL("extras/tokenize/count"),
            headers: headers(accepting: "application/json", sendingJSON: true), body: body,
            connectTimeout: endpoint.connectTimeout, timeout: endpoint.requestTimeout)
        let receiver = BufferingResponseReceiver(bodyLimit: Self.healthAnswerLimit)
        guard await exchange(request, receiver: receiver) == nil, let response = receiver.response,
              response.head.isSuccess, !response.isTruncated
        else { return nil }
        return (try? JSONDecoder().decode(Count.self, from: response.body)).map(\.count)
    }

    /// Checks that the server answers: `GET <base>/v1/models` must return a 2xx status
    /// within the connect timeout and at most ``healthCheckTimeout`` in all.
    ///
    /// - Throws: the connection, HTTP status (``InferenceError/rateLimited(endpoint:retryAfter:bodyExcerpt:)``
    ///   for 429), timeout or cancellation error that made the probe fail, or
    ///   ``InferenceError/invalidRequest(reason:)`` when the endpoint is unusable.
    public func checkHealth() async throws(InferenceError) {
        try checkEndpoint()
        let url = endpoint.apiURL("models")
        let timeout = min(endpoint.requestTimeout, Self.healthCheckTimeout)
        let answer = AnswerContext(endpoint: InferenceEndpoint.displayString(of: url), apiKey: endpoint.apiKey,
                                   isChat: false, requestedModel: "")
        let request = HTTPRequest(
            method: .get, url: url, headers: headers(accepting: "application/json", sendingJSON: false),
            body: Data(), connectTimeout: endpoint.connectTimeout, timeout: timeout)
        let receiver = BufferingResponseReceiver(bodyLimit: Self.healthAnswerLimit)
        if let failure = await exchange(request, receiver: receiver) {
            throw answer.error(for: failure)
        }
        guard let response = receiver.response else {
            throw answer.error(for: .connectionLost(reason: "the server closed the connection without answering"))
        }
        guard response.head.isSuccess else { throw answer.statusError(for: response) }
    }

    /// Runs one exchange; returns its failure, if it failed.
    private func exchange(_ request: HTTPRequest, receiver: some HTTPResponseReceiver) async -> HTTPTransportError? {
        do {
            try await transport.exchange(request, receiver: receiver)
            return nil
        } catch {
            return error
        }
    }

    /// The header fields of every request: what it accepts, its body's type, its key.
    private func headers(accepting mediaType: String, sendingJSON: Bool) -> [HTTPHeader] {
        var headers = [HTTPHeader(name: "Accept", value: mediaType)]
        if sendingJSON {
            headers.append(HTTPHeader(name: "Content-Type", value: "application/json"))
        }
        if let apiKey = endpoint.apiKey {
            headers.append(HTTPHeader(name: "Authorization", value: "Bearer \(apiKey)"))
        }
        return headers
    }

    /// Rejects an endpoint no request can go to.
    private func checkEndpoint() throws(InferenceError) {
        let url = endpoint.baseURL
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty
        else {
            throw .invalidRequest(reason: "the endpoint's base URL \(InferenceEndpoint.displayString(of: url)) "
                + "is not an http:// or https:// URL with a host name")
        }
        if let apiKey = endpoint.apiKey, apiKey.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .invalidRequest(reason: "the endpoint's API key contains a line break or another control character; "
                + "check how it was configured")
        }
    }
}
