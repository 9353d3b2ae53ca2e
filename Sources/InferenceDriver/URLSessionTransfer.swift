import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// What became of one HTTP exchange.
enum TransferOutcome: Sendable {
    /// The server answered (with any status).
    case response(HTTPURLResponse, Data)
    /// The exchange failed in the transport: refused, reset, unknown host...
    case failed(URLError)
    /// The calling task was cancelled before the exchange finished.
    case cancelled
}

/// One request on a `URLSession`, bridged to Swift concurrency.
///
/// Cancelling the task that awaits ``run(_:on:)`` cancels the `URLSessionDataTask`,
/// which closes its connection (`data(for:delegate:)` does this on Linux too).
///
/// As the task's delegate, the transfer notes when the request body has gone out,
/// which shows that the TCP connection was established: `URLSession` on Linux has no
/// connect timeout of its own, so the client enforces one with ``hasSentRequest``.
/// Use each transfer for one request only.
final class URLSessionTransfer: NSObject, URLSessionTaskDelegate, Sendable {
    private let requestSent = Atomic<Bool>(false)

    /// Whether any of the request body has been written to the connection.
    var hasSentRequest: Bool { requestSent.load(ordering: .acquiring) }

    /// Sends `request` on `session` and waits for the whole answer, or for cancellation.
    func run(_ request: URLRequest, on session: URLSession) async -> TransferOutcome {
        do {
            let (data, response) = try await session.data(for: request, delegate: self)
            guard let response = response as? HTTPURLResponse else {
                return .failed(URLError(.badServerResponse))
            }
            return .response(response, data)
        } catch let error as URLError {
            return error.code == .cancelled ? .cancelled : .failed(error)
        } catch is CancellationError {
            return .cancelled
        } catch {
            return .failed(URLError(.unknown, userInfo: [NSUnderlyingErrorKey: error]))
        }
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        didSendBodyData bytesSent: Int64,
        totalBytesSent: Int64,
        totalBytesExpectedToSend: Int64
    ) {
        requestSent.store(true, ordering: .releasing)
    }
}
