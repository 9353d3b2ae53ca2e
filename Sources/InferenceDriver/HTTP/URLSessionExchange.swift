import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import SystemCalls

/// One request on ``URLSessionHTTPTransport``'s session: feeds the task's events to the
/// receiver, enforces the timeouts, and resumes the waiting caller when the task ends.
///
/// `URLSession` on Linux has no connect timeout of its own. The exchange counts the
/// connection as made once some of the request body has gone out or the response has
/// begun; a Dispatch timer abandons the task when neither has happened within the connect
/// timeout, another when the whole timeout passes. Abandoning cancels the task; the
/// failure reported is the reason it was abandoned.
final class URLSessionExchange: Sendable {
    /// Why the exchange cancelled its own task.
    private enum EndReason {
        case failed(HTTPTransportError)
        case stoppedByReceiver
    }

    private struct State {
        var continuation: CheckedContinuation<Result<Void, HTTPTransportError>, Never>?
        var isConnected = false
        var endReason: EndReason?
        var timers: [any DispatchSourceTimer] = []
    }

    private let task: URLSessionDataTask
    private let receiver: any HTTPResponseReceiver
    private let connectTimeout: Duration
    private let timeout: Duration
    private let state = Mutex(State())

    /// Creates the exchange of `task`, whose events will go to `receiver`.
    init(task: URLSessionDataTask, receiver: any HTTPResponseReceiver, connectTimeout: Duration, timeout: Duration) {
        self.task = task
        self.receiver = receiver
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// Arms the timers and starts the task, which `router` must route here; `continuation`
    /// is resumed once when the exchange ends. An exchange abandoned before it started ends
    /// at once, without starting its task.
    func start(
        resuming continuation: CheckedContinuation<Result<Void, HTTPTransportError>, Never>,
        routedBy router: URLSessionDelegateRouter
    ) {
        let earlyFailure = state.withLock { state -> HTTPTransportError? in
            if case let .failed(error)? = state.endReason { return error }
            state.continuation = continuation
            state.timers = [timer(after: timeout, failure: .timedOut(timeout))]
            if connectTimeout < timeout {
                state.timers.append(timer(after: connectTimeout, failure: .connectTimedOut(connectTimeout),
                                          onlyIfNotConnected: true))
            }
            return nil
        }
        if let earlyFailure {
            continuation.resume(returning: .failure(earlyFailure))
            return
        }
        router.register(self, for: task)
        task.resume()
    }

    /// Ends the exchange with `failure` (unless it has already ended) by cancelling its task.
    func abandon(because failure: HTTPTransportError) {
        end(.failed(failure))
    }

    /// Notes that the connection has been made.
    func noteConnected() {
        state.withLock { $0.isConnected = true }
    }

    /// Passes the response head to the receiver.
    func didReceive(_ response: URLResponse) {
        noteConnected()
        guard isRunning, let response = response as? HTTPURLResponse else { return }
        let headers = response.allHeaderFields.compactMap { name, value -> HTTPHeader? in
            guard let name = name as? String else { return nil }
            return HTTPHeader(name: name, value: "\(value)")
        }
        if receiver.receive(head: HTTPResponseHead(status: response.statusCode, headers: headers)) == .stop {
            end(.stoppedByReceiver)
        }
    }

    /// Passes the next bytes of the body to the receiver.
    func didReceive(_ data: Data) {
        guard isRunning else { return }
        if data.withUnsafeBytes({ receiver.receive(body: $0) }) == .stop {
            end(.stoppedByReceiver)
        }
    }

    /// Resumes the caller: with the reason the exchange was ended, if it ended it, or
    /// with the task's own outcome.
    func didComplete(with error: (any Error)?) {
        let (continuation, reason, timers) = state.withLock { state in
            defer {
                state.continuation = nil
                state.timers = []
            }
            return (state.continuation, state.endReason, state.timers)
        }
        timers.forEach { $0.cancel() }
        let result: Result<Void, HTTPTransportError>
        switch reason {
        case .stoppedByReceiver:
            result = .success(())
        case let .failed(failure):
            result = .failure(failure)
        case nil:
            result = error.map { .failure(Self.transportError(for: $0, timeout: timeout)) } ?? .success(())
        }
        continuation?.resume(returning: result)
    }

    private var isRunning: Bool {
        state.withLock { $0.endReason == nil }
    }

    private func end(_ reason: EndReason) {
        let cancelsTask = state.withLock { state -> Bool in
            guard state.endReason == nil else { return false }
            state.endReason = reason
            return state.continuation != nil
        }
        if cancelsTask { task.cancel() }
    }

    private func timer(
        after delay: Duration, failure: HTTPTransportError, onlyIfNotConnected: Bool = false
    ) -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + delay.timeInterval)
        timer.setEventHandler { [self] in
            if onlyIfNotConnected, state.withLock({ $0.isConnected }) { return }
            abandon(because: failure)
        }
        timer.resume()
        return timer
    }

    /// What a `URLSession` failure means for the caller.
    private static func transportError(for error: any Error, timeout: Duration) -> HTTPTransportError {
        guard let error = error as? URLError else {
            return .ioFailed(reason: "\(error)")
        }
        switch error.code {
        case .cannotConnectToHost:
            return .connectionRefused
        case .cannotFindHost, .dnsLookupFailed:
            return .unknownHost(error.failingURL?.host ?? "the host", reason: "no such host")
        case .networkConnectionLost:
            return .connectionLost(reason: "the connection was closed or reset before the answer was complete")
        case .notConnectedToInternet:
            return .connectFailed(reason: "no network is available")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid, .clientCertificateRejected,
             .clientCertificateRequired:
            return .tlsFailed(reason: "URL error \(error.code.rawValue)")
        case .timedOut:
            return .timedOut(timeout)
        case .badServerResponse, .cannotParseResponse:
            return .malformedResponse(reason: "URL error \(error.code.rawValue)")
        case .cancelled:
            return .cancelled
        default:
            return .ioFailed(reason: "URL error \(error.code.rawValue): \(error.localizedDescription)")
        }
    }
}
