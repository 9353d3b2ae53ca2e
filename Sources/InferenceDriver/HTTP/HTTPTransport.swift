/// Carries an HTTP request to a server, and its response back in pieces as they arrive.
///
/// Two implementations exist: ``SocketHTTPTransport`` for `http://` (POSIX sockets, a
/// thread per exchange) and ``URLSessionHTTPTransport`` for `https://`.
protocol HTTPTransport: Sendable {
    /// Sends `request` and feeds its response to `receiver`.
    ///
    /// Returns once the response is complete, or as soon as `receiver` answers
    /// ``HTTPReceiveDecision/stop``. Cancelling the calling task closes the connection
    /// promptly and throws ``HTTPTransportError/cancelled``.
    ///
    /// - Throws: ``HTTPTransportError`` when the exchange fails before the response is
    ///   complete; `receiver` may have seen part of it.
    func exchange(_ request: HTTPRequest, receiver: some HTTPResponseReceiver) async throws(HTTPTransportError)
}
