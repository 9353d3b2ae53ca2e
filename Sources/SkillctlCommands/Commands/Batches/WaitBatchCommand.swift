/// `skillctl batch wait ID`: waits for a running batch with its progress, as `batch start`
/// does, and ends with its outcome.
struct WaitBatchCommand: SkillctlCommand, Equatable {
    static let batchID = Argument(kind: .batchID, help: "the batch")

    static let declaration = CommandDeclaration(
        name: "wait", abstract: "waits for a batch with progress, and exits with its outcome",
        discussion: """
            Waits for a batch to finish, with its progress on standard error as `batch start`
            shows it, then prints its final record (--json: as JSON). A batch that has
            already finished is printed at once. Exit status 0 when every item is done, 1
            when some failed or the batch was cancelled.
            """,
        arguments: [batchID])

    /// The batch.
    var batchID: Int64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        batchID = try arguments.required(Self.batchID)
    }

    func execute(in context: CommandContext) async -> ExitCode {
        do {
            let watch = try BatchWatch(socketPath: context.socketPath)
            defer { watch.client.close() }
            return try await watch.wait(for: batchID, json: context.json)
        } catch {
            return Console.report(error, json: context.json)
        }
    }
}
