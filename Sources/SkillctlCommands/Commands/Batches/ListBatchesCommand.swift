import SkillhostProtocol

/// `skillctl batch list`: recent batches, newest first.
struct ListBatchesCommand: DaemonRequestCommand, Equatable {
    static let limit = Option("--limit", kind: .wholeNumber(in: 1...1000), help: "at most N batches, 1 to 1000 (default 50)")
    static let before = Option("--before", kind: .batchID, help: "only batches older than batch ID, for paging")

    static let declaration = CommandDeclaration(
        name: "list", abstract: "recent batches with their counts, newest first",
        discussion: """
            Lists batches, newest first: ID, SKILL, STATUS, DONE/ITEMS, FAILED, CREATED.
            `skillctl batch show ID` shows one; `skillctl batch wait ID` waits for a running one.
            """,
        options: [limit, before])

    /// `--limit`.
    var limit: Int?
    /// `--before`.
    var before: Int64?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        limit = try arguments.value(Self.limit)
        before = try arguments.value(Self.before)
    }

    func request(in context: CommandContext) -> ListBatchesRequest {
        ListBatchesRequest(limit: limit, before: before)
    }

    func render(_ result: BatchList) -> String {
        BatchOutput.renderList(result.batches)
    }
}
