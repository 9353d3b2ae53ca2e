import Foundation

/// HTTP/1.1 over plain TCP (`http://` URLs) with POSIX sockets, one thread per exchange.
///
/// Each exchange runs on a thread of its own, never on Swift's cooperative pool: name
/// resolution, a non-blocking connect bounded by the connect timeout, the request, then
/// the answer, passed to the receiver as it arrives. Every wait is a `poll(2)` on the
/// socket (or, while a host name resolves, on the resolver's thread: ``HostResolver``) and on
/// a ``PollableSignal`` that a cancellation of the calling task fires, so cancelling closes
/// the connection at once; the timeouts are `poll` deadlines.
///
/// Requests carry `Connection: close`: one connection per exchange, which on the loopback
/// interface costs well under a millisecond, and leaves no idle connection for a server
/// to drop under a later request.
struct SocketHTTPTransport: HTTPTransport {
    /// The size of the buffer each exchange reads into.
    static let readBufferSize = 64 * 1024

    func exchange(_ request: HTTPRequest, receiver: some HTTPResponseReceiver) async throws(HTTPTransportError) {
        if Task.isCancelled { throw .cancelled }
        let cancellation: PollableSignal
        do {
            cancellation = try PollableSignal()
        } catch {
            throw .ioFailed(reason: "cannot prepare the request: \(error)")
        }
        let exchange = SocketHTTPExchange(request: request, cancellation: cancellation)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, HTTPTransportError>, Never>) in
                let thread = Thread {
                    continuation.resume(returning: exchange.run(receiver: receiver))
                }
                thread.name = "skillhost-http"
                thread.start()
            }
        } onCancel: {
            cancellation.fire()
        }
        try result.get()
    }
}
