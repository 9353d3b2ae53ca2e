import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl runs show ID`: one run in full.
struct ShowRunCommand: DaemonRequestCommand, Equatable {
    static let runID = Argument(kind: .runID, help: "the run")

    static let declaration = CommandDeclaration(
        name: "show", abstract: "one run in full",
        discussion: "Shows every field of run ID: status, times, input, output, error, usage.", arguments: [runID])

    /// The run.
    var runID: Int64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        runID = try arguments.required(Self.runID)
    }

    func request(in context: CommandContext) -> GetRunRequest {
        GetRunRequest(runID: runID)
    }

    func render(_ result: JSONValue) -> String {
        RunOutput.renderShow(result)
    }
}
