import SkillhostProtocol

/// `skillctl inference models`: the models and how many endpoints serve each.
struct InferenceModelsCommand: DaemonRequestCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "models", abstract: "the models, their endpoints and how many are healthy")

    init(_ arguments: ParsedArguments) {}

    func request(in context: CommandContext) -> InferenceModelsRequest {
        InferenceModelsRequest()
    }

    func render(_ result: InferenceModelList) -> String {
        InferenceOutput.renderModels(result)
    }
}
