import JSON

/// One line a server received, classified: a single message, a batch, or something to
/// answer with an error straight away.
public enum JSONRPCInboundMessage: Sendable, Equatable {
    /// One request or notification, or the error response an invalid one gets.
    case single(JSONRPCInboundEntry)
    /// A non-empty batch: each entry is a request, or the error response an invalid entry gets.
    case batch([JSONRPCInboundEntry])
    /// The line is not JSON (`parse_error`), is an empty batch (`invalid_request`) or a
    /// batch longer than the limit (the limits' refusal): answer with this single response.
    case rejected(JSONRPCResponse)

    /// Parses and validates one line (without its newline). A batch longer than
    /// `limits.maximumBatchLength` is refused before it is parsed, so that its entries never
    /// take memory.
    public init(line: [UInt8], limits: JSONRPCServerLimits = JSONRPCServerLimits()) {
        if let length = Self.batchLength(of: line), length > limits.maximumBatchLength {
            self = .rejected(limits.response(refusing: .batchLength(length: length, limit: limits.maximumBatchLength)))
            return
        }
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

    /// The number of entries of the batch `line` holds, counted without parsing it (the
    /// commas outside strings between its outer brackets); nil when the line is not an array.
    /// A line that is not valid JSON gets a count all the same, which only decides whether
    /// it is refused as too long before the parser refuses it as not JSON.
    static func batchLength(of line: [UInt8]) -> Int? {
        guard let first = line.firstIndex(where: { !isWhitespace($0) }), line[first] == UInt8(ascii: "[") else { return nil }
        var depth = 0
        var isInString = false
        var isEscaped = false
        var separators = 0
        var hasEntry = false
        for byte in line[first...] {
            if isInString {
                if isEscaped {
                    isEscaped = false
                } else if byte == UInt8(ascii: "\\") {
                    isEscaped = true
                } else if byte == UInt8(ascii: "\"") {
                    isInString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                isInString = true
                hasEntry = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if depth >= 1 { hasEntry = true }
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 1 { separators += 1 }
            default:
                if depth >= 1, !isWhitespace(byte) { hasEntry = true }
            }
            if depth == 0 { break }
        }
        return hasEntry ? separators + 1 : 0
    }

    /// Whether `byte` is JSON whitespace.
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
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
