import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SystemCalls

/// HTTP over Foundation's `URLSession`, for `https://` URLs (TLS is libcurl's).
///
/// Plain `http://` uses ``SocketHTTPTransport`` instead: on Linux, FoundationNetworking
/// can crash the process in libdispatch when a connection is refused, times out or is
/// cancelled while connecting; the socket transport has no such fault.
///
/// All exchanges share one session that lives as long as the process (tearing a session
/// down races the same `DispatchSource`s), with no cookies, cache or credential store. Its
/// delegate, a ``URLSessionDelegateRouter``, hands each task's events to that task's
/// ``URLSessionExchange``, which passes the body to the receiver as it arrives
/// (`urlSession(_:dataTask:didReceive:)`) and enforces the timeouts with Dispatch timers.
final class URLSessionHTTPTransport: HTTPTransport {
    /// The process's one transport over `URLSession`.
    static let shared = URLSessionHTTPTransport()

    private let session: URLSession
    private let router: URLSessionDelegateRouter

    private init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        // Each request sets its own idle backstop; the resource bound only has to stay out
        // of the way of every request's own timeout.
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        // Requests beyond this limit queue inside the session without connecting, which
        // the connect timeout would mistake for an unreachable server.
        configuration.httpMaximumConnectionsPerHost = 64
        router = URLSessionDelegateRouter()
        session = URLSession(configuration: configuration, delegate: router, delegateQueue: nil)
    }

    func exchange(_ request: HTTPRequest, receiver: some HTTPResponseReceiver) async throws(HTTPTransportError) {
        if Task.isCancelled { throw .cancelled }
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method.rawValue
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        if request.method == .post {
            urlRequest.httpBody = request.body
        }
        // URLSession's own timer is, on Linux, an idle timer in whole seconds that cannot
        // tell connecting from waiting for an answer; the exchange's deadlines fire first,
        // and this is a backstop only.
        urlRequest.timeoutInterval = max(request.timeout.timeInterval.rounded(.up) + 1, 2)

        let task = session.dataTask(with: urlRequest)
        let exchange = URLSessionExchange(
            task: task, receiver: receiver, connectTimeout: request.connectTimeout, timeout: request.timeout)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                exchange.start(resuming: continuation, routedBy: router)
            }
        } onCancel: {
            exchange.abandon(because: .cancelled)
        }
        try result.get()
    }
}
