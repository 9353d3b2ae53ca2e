import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl skills disable NAME[@VERSION]`: refuses new runs of a skill.
struct DisableSkillCommand: DaemonRequestCommand, Equatable {
    static let skill = Argument("NAME[@VERSION]", kind: .skill, help: "the skill, and the one version to disable")

    static let declaration = CommandDeclaration(
        name: "disable", abstract: "refuses new runs of a skill until `skills enable`; runs in flight go on",
        discussion: """
            Refuses new runs of the skill (every version, or only NAME@VERSION) with
            skill_disabled until `skillctl skills enable NAME`; its runs in flight go on to their
            end. The daemon keeps the state: a restart keeps the skill disabled. A batch's items
            that would start afterwards fail with skill_disabled; a schedule's fires are skipped.
            """,
        arguments: [skill])

    /// The skill, and maybe its version.
    var skill: SkillReference

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = SkillReference(try arguments.required(Self.skill))
    }

    func request(in context: CommandContext) -> DisableSkillRequest {
        DisableSkillRequest(name: skill.name, version: skill.version)
    }

    func render(_ result: SkillList) -> String {
        SkillOutput.renderStates(result)
    }
}

/// `skillctl skills enable NAME[@VERSION]`: lets a skill run again.
struct EnableSkillCommand: DaemonRequestCommand, Equatable {
    static let skill = Argument("NAME[@VERSION]", kind: .skill, help: "the skill, and the one version to enable")

    static let declaration = CommandDeclaration(
        name: "enable", abstract: "lets a disabled or drained skill take new runs again",
        discussion: "Lets the skill (every version, or only NAME@VERSION) take new runs again after `skills disable` or `skills drain`.",
        arguments: [skill])

    /// The skill, and maybe its version.
    var skill: SkillReference

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = SkillReference(try arguments.required(Self.skill))
    }

    func request(in context: CommandContext) -> EnableSkillRequest {
        EnableSkillRequest(name: skill.name, version: skill.version)
    }

    func render(_ result: SkillList) -> String {
        SkillOutput.renderStates(result)
    }
}

/// `skillctl skills drain NAME[@VERSION] [--timeout S]`: refuses new runs and waits for
/// those in flight.
struct DrainSkillCommand: DaemonRequestCommand, Equatable {
    static let skill = Argument("NAME[@VERSION]", kind: .skill, help: "the skill, and the one version to drain")
    static let timeout = Option("--timeout", kind: .seconds, help: "stop waiting after this long (default 60)")

    static let declaration = CommandDeclaration(
        name: "drain", abstract: "refuses new runs of a skill and waits until its runs in flight have ended",
        discussion: """
            Refuses new runs of the skill (every version, or only NAME@VERSION), as `skills
            disable` does, then waits until its runs in flight have ended, and says how many it
            waited for. The skill then stays disabled, across restarts too, until `skillctl
            skills enable NAME`. Exit status 1 when some still run after --timeout (the skill
            stays draining: it refuses new runs).
            """,
        arguments: [skill], options: [timeout])

    /// The skill, and maybe its version.
    var skill: SkillReference
    /// `--timeout`, in milliseconds.
    var timeoutMilliseconds: Int64?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = SkillReference(try arguments.required(Self.skill))
        timeoutMilliseconds = try arguments.value(Self.timeout)
    }

    func request(in context: CommandContext) -> DrainSkillRequest {
        DrainSkillRequest(name: skill.name, version: skill.version, timeoutMilliseconds: timeoutMilliseconds)
    }

    func render(_ result: DrainedSkill) -> String {
        SkillOutput.renderDrain(result)
    }

    func execute(in context: CommandContext) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: context.socketPath)
            defer { client.close() }
            let answer = try await client.send(request(in: context))
            Console.output(context.json ? answer.json.serialized() : render(answer.result))
            return answer.result.drained ? .success : .failed
        } catch {
            return Console.report(error, json: context.json)
        }
    }
}
