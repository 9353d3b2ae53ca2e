/// The status and header fields of an HTTP response.
struct HTTPResponseHead: Sendable, Equatable {
    /// The status code, such as 200 or 429.
    var status: Int
    /// The header fields, in the order the server sent them.
    var headers: [HTTPHeader]

    /// Whether the status is 2xx.
    var isSuccess: Bool { (200..<300).contains(status) }

    /// The value of the first field called `name` (compared case-insensitively), if any.
    func value(of name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The values of every field called `name`, in order.
    func values(of name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}
