import Glibc

/// What a ``JSONRPCServer`` refuses, so that no client can make it run out of descriptors
/// or memory: connections beyond a number, lines beyond a size, batches beyond a length.
/// Each refusal is answered with the error ``refusal`` makes of it, which a program over
/// this module words in its own terms (the setting that raises the limit).
public struct JSONRPCServerLimits: Sendable {
    /// The most connections served at once; one more gets the refusal and is closed.
    public var maximumConnections: Int
    /// The longest line read, in bytes, not counting the `\n`: a longer line is read no
    /// further than this, gets the refusal, and its connection is closed.
    public var maximumRequestBytes: Int
    /// The most entries of one batch: a longer batch gets the refusal (one error, id null)
    /// and none of its requests runs; the connection stays open.
    public var maximumBatchLength: Int
    /// The error a client gets for what it exceeded.
    public var refusal: @Sendable (JSONRPCLimitExceeded) -> JSONRPCError

    /// Limits with the errors of ``JSONRPCLimitExceeded/standardError``; by default
    /// connections and batches are unlimited and lines stop at 16 MiB.
    public init(maximumConnections: Int = .max, maximumRequestBytes: Int = 16 << 20, maximumBatchLength: Int = .max,
                refusal: @escaping @Sendable (JSONRPCLimitExceeded) -> JSONRPCError = \.standardError) {
        self.maximumConnections = maximumConnections
        self.maximumRequestBytes = maximumRequestBytes
        self.maximumBatchLength = maximumBatchLength
        self.refusal = refusal
    }

    /// The response (id null) that refuses what `exceeded` says.
    public func response(refusing exceeded: JSONRPCLimitExceeded) -> JSONRPCResponse {
        JSONRPCResponse(id: nil, error: refusal(exceeded))
    }
}

/// A limit of ``JSONRPCServerLimits`` that a client went beyond.
public enum JSONRPCLimitExceeded: Sendable, Equatable {
    /// `limit` connections were already being served.
    case connections(limit: Int)
    /// A line was longer than `limit` bytes.
    case requestBytes(limit: Int)
    /// A batch held `length` entries, more than `limit`.
    case batchLength(length: Int, limit: Int)

    /// The error in this module's terms: `invalid_request` for a line or a batch,
    /// `internal` for a connection (a program gives that one a kind of its own).
    public var standardError: JSONRPCError {
        switch self {
        case let .connections(limit):
            .internalError("the server already serves \(limit) connections, the most it allows; closing this one")
        case let .requestBytes(limit):
            .invalidRequest("the line is longer than the limit of \(limit) bytes; closing the connection")
        case let .batchLength(length, limit):
            .invalidRequest("the batch holds \(length) requests, more than the limit of \(limit)")
        }
    }
}
