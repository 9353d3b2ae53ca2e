import JSON
import SkillhostModel

/// An error a service method answers with: its kind, a message that says what to do, and
/// extra `data` members for the client (e.g. the `run_id` of a failed run).
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is.
    public let kind: ErrorKind
    /// What went wrong and what to do about it.
    public let message: String
    /// Members the error's `data` carries besides `kind`.
    public let extra: [String: JSONValue]

    /// An error of `kind`.
    public init(_ kind: ErrorKind, _ message: String, extra: [String: JSONValue] = [:]) {
        self.kind = kind
        self.message = message
        self.extra = extra
    }

    /// A parameter is missing or has the wrong type or value.
    public static func invalidParams(_ message: String) -> ServiceError {
        ServiceError(.invalidParams, message)
    }

    /// A failure inside the daemon (I/O, database).
    public static func `internal`(_ message: String) -> ServiceError {
        ServiceError(.internal, message)
    }

    public var description: String { message }
}
