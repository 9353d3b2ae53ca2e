import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl batch cancel ID`: stops a batch.
struct CancelBatchCommand: DaemonRequestCommand, Equatable {
    static let batchID = Argument(kind: .batchID, help: "the batch")

    static let declaration = CommandDeclaration(
        name: "cancel", abstract: "starts no new item of a batch, and cancels the running ones", arguments: [batchID])

    /// The batch.
    var batchID: Int64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        batchID = try arguments.required(Self.batchID)
    }

    func request(in context: CommandContext) -> CancelBatchRequest {
        CancelBatchRequest(batchID: batchID)
    }

    func render(_ result: JSONValue) -> String {
        BatchOutput.renderBatch(result)
    }
}
