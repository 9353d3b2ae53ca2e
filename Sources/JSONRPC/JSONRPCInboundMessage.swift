import JSON

/// One line a server received, classified: a single message, a batch, or something to
/// answer with an error straight away.
public enum JSONRPCInboundMessage: Sendable, Equatable {
    /// One request or notification, or the error response an invalid one gets.
    case single(JSONRPCInboundEntry)
    /// A non-empty batch: each entry is a request, or the error response an invalid entry gets.
    case batch([JSONRPCInboundEntry])
    /// The line is not JSON (`parse_error`) or is an empty batch (`invalid_request`): answer
    /// with this single response.
    case rejected(JSONRPCResponse)

    /// Parses and validates one line (without its newline).
    public init(line: [UInt8]) {
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONValue(parsing: line)
        } catch {
            self = .rejected(JSONRPCResponse(id: nil, error: .parseError(error.description)))
            return
        }
        guard case .array(let entries) = value else {
            self = .single(JSONRPCRequest.validate(value))
            return
        }
        guard !entries.isEmpty else {
            self = .rejected(JSONRPCResponse(id: nil, error: .invalidRequest("an empty batch")))
            return
        }
        self = .batch(entries.map(JSONRPCRequest.validate))
    }
}

/// One message of a line, validated: a request to handle, or an invalid message and the
/// error response it gets.
public enum JSONRPCInboundEntry: Sendable, Equatable {
    /// A valid request or notification.
    case request(JSONRPCRequest)
    /// An invalid message, and its `invalid_request` response.
    case invalid(JSONRPCResponse)
}
