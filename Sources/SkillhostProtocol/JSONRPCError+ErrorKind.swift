import JSON
import JSONRPC
import SkillhostModel

extension JSONRPCError {
    /// An error of `kind`, with its code, `data.kind` and the members of `extra`.
    public init(_ kind: ErrorKind, message: String, extra: [String: JSONValue] = [:]) {
        self.init(code: kind.code, kind: kind.rawValue, message: message, extra: extra)
    }

    /// The error's kind, when `data.kind` names one this side knows.
    public var errorKind: ErrorKind? { kind.flatMap(ErrorKind.init(rawValue:)) }
}

/// An error that knows the JSON-RPC error it is answered with.
public protocol JSONRPCErrorConvertible: Error {
    /// The error as the client receives it.
    var rpcError: JSONRPCError { get }
}
