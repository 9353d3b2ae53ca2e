import HTTPServer

/// A request a route refuses before it makes any call, and the answer it gets.
struct RouteRefusal: Error {
    /// The answer.
    let response: HTTPResponse

    init(_ response: HTTPResponse) {
        self.response = response
    }
}
