import JSON
import SkillhostModel

/// An error a service method answers with: a domain kind, or invalid parameters, or an
/// internal failure, each with a message that says what to do.
public enum ServiceError: Error, Sendable, CustomStringConvertible {
    /// One of skillhost's own kinds, with extra `data` fields (e.g. `run_id`).
    case domain(ErrorKind, String, extra: [String: JSONValue] = [:])
    /// A parameter is missing or has the wrong type or value.
    case invalidParams(String)
    /// A failure inside the daemon (I/O, database).
    case `internal`(String)

    public var description: String {
        switch self {
        case let .domain(_, message, _), let .invalidParams(message), let .internal(message): message
        }
    }
}
