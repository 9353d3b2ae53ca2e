import JSONRPC
import SkillhostProtocol

/// `skillctl batch results ID`: one JSON line per item, in item order.
struct BatchResultsCommand: SkillctlCommand, Equatable {
    static let batchID = Argument(kind: .batchID, help: "the batch")

    static let declaration = CommandDeclaration(
        name: "results", abstract: "one JSON line per item of a batch, in item order",
        discussion: "Prints one JSON line per item, in item order: {\"index\", \"status\", \"output\", \"error\"}.",
        arguments: [batchID])

    /// The batch.
    var batchID: Int64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        batchID = try arguments.required(Self.batchID)
    }

    /// Prints each page of results as it comes (JSON lines, with or without `--json`).
    func execute(in context: CommandContext) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: context.socketPath)
            defer { client.close() }
            try await BatchItemPages.forEachPage(of: batchID, status: nil, client: client) { page in
                if !page.isEmpty { Console.output(page.map(BatchOutput.resultLine).joined(separator: "\n")) }
            }
            return .success
        } catch {
            return Console.report(error, json: context.json)
        }
    }
}
