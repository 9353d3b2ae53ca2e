import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl batch show ID`: a batch's status and counts.
struct ShowBatchCommand: DaemonRequestCommand, Equatable {
    static let batchID = Argument(kind: .batchID, help: "the batch")

    static let declaration = CommandDeclaration(name: "show", abstract: "a batch's status and counts", arguments: [batchID])

    /// The batch.
    var batchID: Int64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        batchID = try arguments.required(Self.batchID)
    }

    func request(in context: CommandContext) -> GetBatchRequest {
        GetBatchRequest(batchID: batchID)
    }

    func render(_ result: JSONValue) -> String {
        BatchOutput.renderBatch(result)
    }
}
