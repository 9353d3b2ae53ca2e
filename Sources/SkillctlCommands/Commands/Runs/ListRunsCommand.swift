import SkillhostModel
import SkillhostProtocol

/// `skillctl runs [list]`: recent runs, newest first.
struct ListRunsCommand: DaemonRequestCommand, Equatable {
    static let skill = Option("--skill", "S", kind: .skill, help: "only runs of skill S: NAME, or NAME@VERSION for one version")
    static let status = Option("--status", "ST", kind: .choice(RunStatus.allCases.map(\.rawValue)),
                               help: "only runs in status ST (\(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
    static let limit = Option("--limit", kind: .wholeNumber(in: 1...1000), help: "at most N runs, 1 to 1000 (default 50)")
    static let before = Option("--before", kind: .runID, help: "only runs older than run ID, for paging")

    static let declaration = CommandDeclaration(
        name: "list", abstract: "recent runs, newest first",
        discussion: """
            Lists runs, newest first: ID, SKILL, VERSION, STATUS, DURATION, CREATED, ERROR.
            `skillctl runs show ID` shows one run in full.
            """,
        options: [skill, status, limit, before])

    /// `--skill`.
    var skill: String?
    /// `--status`.
    var status: String?
    /// `--limit`.
    var limit: Int?
    /// `--before`.
    var before: Int64?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = try arguments.value(Self.skill)
        status = try arguments.value(Self.status)
        limit = try arguments.value(Self.limit)
        before = try arguments.value(Self.before)
    }

    func request(in context: CommandContext) -> ListRunsRequest {
        ListRunsRequest(skill: skill, status: status, limit: limit.map(Int64.init), before: before)
    }

    func render(_ result: RunList) -> String {
        RunOutput.renderList(result)
    }
}
