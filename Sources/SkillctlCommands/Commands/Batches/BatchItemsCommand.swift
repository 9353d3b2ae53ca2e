import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl batch items ID [--status S]`: a batch's items in index order.
struct BatchItemsCommand: SkillctlCommand, Equatable {
    /// The item statuses `--status` accepts.
    static let itemStatuses = ["pending", "running", "done", "failed", "cancelled"]

    static let batchID = Argument(kind: .batchID, help: "the batch")
    static let status = Option("--status", "S", kind: .choice(itemStatuses),
                               help: "only items in status S (\(itemStatuses.joined(separator: ", ")))")

    static let declaration = CommandDeclaration(
        name: "items", abstract: "a batch's items in order: INDEX STATUS ATTEMPTS RUN ERROR",
        arguments: [batchID], options: [status])

    /// The batch.
    var batchID: Int64
    /// `--status`.
    var status: String?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        batchID = try arguments.required(Self.batchID)
        status = try arguments.value(Self.status)
    }

    /// Prints every item, read a page at a time: a table, or with `--json` one object
    /// `{"batch_id", "items"}`.
    func execute(in context: CommandContext) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: context.socketPath)
            defer { client.close() }
            let items = try await BatchItemPages.all(of: batchID, status: status, client: client)
            Console.output(context.json ? JSONValue.object(["batch_id": .int(batchID), "items": .array(items)]).serialized()
                : BatchOutput.renderItems(items))
            return .success
        } catch {
            return Console.report(error, json: context.json)
        }
    }
}
