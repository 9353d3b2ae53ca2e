import Foundation
import Synchronization
import Testing
import TestSupport
@testable import InferenceDriver

/// The transports a client test runs over.
enum TransportKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// The driver's own HTTP/1.1 client on POSIX sockets (what `http://` uses).
    case sockets
    /// `URLSession` (what `https://` uses), here against plain-HTTP fault servers.
    case urlSession

    var testDescription: String { rawValue }

    /// The shortest connect timeout a live local server is sure to meet.
    ///
    /// `URLSession` shows that it has connected only through a delegate callback (the
    /// request body went out), which a loaded machine can delay by seconds; the socket
    /// transport sees the connection itself.
    var shortConnectTimeout: Duration {
        switch self {
        case .sockets: .milliseconds(300)
        case .urlSession: .seconds(5)
        }
    }

    /// A client for `endpoint` over this transport.
    func client(for endpoint: InferenceEndpoint) -> OpenAICompatibleClient {
        switch self {
        case .sockets: OpenAICompatibleClient(endpoint: endpoint, transport: SocketHTTPTransport())
        case .urlSession: OpenAICompatibleClient(endpoint: endpoint, transport: URLSessionHTTPTransport.shared)
        }
    }
}

/// An endpoint for a fault server.
func faultEndpoint(
    _ server: FaultServer,
    defaultModel: String? = nil,
    apiKey: String? = nil,
    connectTimeout: Duration = .seconds(5),
    requestTimeout: Duration = .seconds(10)
) -> InferenceEndpoint {
    InferenceEndpoint(baseURL: server.baseURL, defaultModel: defaultModel, apiKey: apiKey,
                      connectTimeout: connectTimeout, requestTimeout: requestTimeout)
}

/// The completion, or the error, of one request.
func outcome(
    of request: CompletionRequest, with client: OpenAICompatibleClient, onChunk: (@Sendable (String) -> Void)? = nil
) async -> Result<Completion, InferenceError> {
    do {
        return .success(try await client.complete(request, onChunk: onChunk))
    } catch {
        return .failure(error)
    }
}

/// Polls a fault server's stats until `condition` holds, for at most `timeout`.
func waitForStats(
    of server: FaultServer, within timeout: Duration = .seconds(10),
    until condition: (FaultServerStats) -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition(try await server.stats()) { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return false
}

/// Records the pieces of a streamed answer, in order.
final class ChunkRecorder: Sendable {
    private let recorded = Mutex<[String]>([])

    /// The callback to pass as `onChunk`.
    var callback: @Sendable (String) -> Void {
        { [self] chunk in recorded.withLock { $0.append(chunk) } }
    }

    /// The pieces received, in order.
    var chunks: [String] { recorded.withLock { $0 } }
}

extension Result {
    /// The error, or `nil` on success.
    var failure: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}
