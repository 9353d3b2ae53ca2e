/// What answers an ``HTTPServer``'s requests: routing is the handler's own.
///
/// Each request runs in a task of its own; the requests of one connection are answered in
/// the order they came (pipelined ones wait for those before them), those of different
/// connections concurrently. The task is cancelled when the server shuts down past its grace.
public protocol HTTPHandler: Sendable {
    /// The response to `request`; a streamed one for a body written as it is made.
    func respond(to request: HTTPRequest) async -> HTTPResponse
}
