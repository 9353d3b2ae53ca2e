/// One header field of an HTTP request or response.
struct HTTPHeader: Sendable, Equatable {
    /// The field name, as sent; compare case-insensitively.
    var name: String
    /// The field value, without surrounding whitespace.
    var value: String
}
