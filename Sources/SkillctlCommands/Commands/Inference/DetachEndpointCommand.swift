import SkillhostProtocol

/// `skillctl inference detach NAME`: removes an endpoint.
struct DetachEndpointCommand: DaemonRequestCommand, Equatable {
    static let name = Argument(kind: .endpoint, help: "the endpoint")

    static let declaration = CommandDeclaration(
        name: "detach", abstract: "removes an endpoint; requests in flight on it finish", arguments: [name])

    /// The endpoint's name.
    var name: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        name = try arguments.required(Self.name)
    }

    func request(in context: CommandContext) -> DetachEndpointRequest {
        DetachEndpointRequest(name: name)
    }

    func render(_ result: DetachedEndpoint) -> String {
        InferenceOutput.renderDetached(result)
    }
}
