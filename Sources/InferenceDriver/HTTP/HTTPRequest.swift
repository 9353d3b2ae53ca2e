import Foundation

/// One HTTP request for an ``HTTPTransport``, with the bounds on how long it may take.
struct HTTPRequest: Sendable {
    /// The request methods the inference driver uses.
    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    /// The method.
    var method: Method
    /// The absolute `http` or `https` URL.
    var url: URL
    /// Header fields to send besides those the transport adds itself (`Host`,
    /// `Content-Length`, `Connection`). Values must not contain line breaks.
    var headers: [HTTPHeader]
    /// The body, sent with `Content-Length` when it is not empty or the method is POST.
    var body: Data
    /// How long connecting may take, name resolution included.
    var connectTimeout: Duration
    /// How long the whole exchange may take, from its start to the last byte of the answer.
    var timeout: Duration
}
