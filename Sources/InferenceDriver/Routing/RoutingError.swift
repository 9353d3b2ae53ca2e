/// Why ``InferenceRouter/attach(_:)`` or ``InferenceRouter/detach(name:)`` refused.
public enum RoutingError: Error, Equatable, CustomStringConvertible {
    /// An endpoint with this name is already attached.
    case duplicateName(String)
    /// No attached endpoint has this name; `known` lists the names that are attached.
    case unknownEndpoint(name: String, known: [String])
    /// The endpoint's description is unusable; the text says which field and why.
    case invalid(String)

    /// What was refused, and what to do instead.
    public var description: String {
        switch self {
        case let .duplicateName(name):
            return "an endpoint named \"\(name)\" is already attached; detach it first, or choose another name"
        case let .unknownEndpoint(name, known):
            let list = known.isEmpty ? "none is attached" : "attached: " + known.sorted().joined(separator: ", ")
            return "no endpoint named \"\(name)\" is attached (\(list))"
        case let .invalid(reason):
            return "invalid endpoint: \(reason)"
        }
    }
}
