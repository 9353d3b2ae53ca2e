import SkillhostProtocol

/// `skillctl inference [status]`: every endpoint's health and load.
struct InferenceStatusCommand: DaemonRequestCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "status",
        abstract: "the default model and every endpoint: health, load, requests, failures, latency",
        discussion: """
            Shows the default model, then each endpoint: NAME, MODEL, URL, HEALTH, LOAD
            (requests in flight / max), REQUESTS, FAILURES, P50 and P99 latency, LAST ERROR.
            """)

    init(_ arguments: ParsedArguments) {}

    func request(in context: CommandContext) -> InferenceStatusRequest {
        InferenceStatusRequest()
    }

    func render(_ result: InferenceStatus) -> String {
        InferenceOutput.renderStatus(result)
    }
}
