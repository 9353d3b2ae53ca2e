@testable import SkillctlCommands
import Testing

/// Parses `words` with skillctl's own command list.
func parse(_ words: [String]) throws(UsageError) -> Invocation {
    try SkillctlCommandList.parser.parse(words)
}

/// The command `words` parse to, which must be a `Command`.
func command<Command: SkillctlCommand>(_ type: Command.Type, _ words: String...) throws -> Command {
    let invocation = try parse(words)
    guard case .execute(let parsed) = invocation.action else {
        Issue.record("\(words) is not a command to execute but \(invocation.action)")
        throw ParseMismatch()
    }
    return try #require(parsed as? Command, "\(words) parsed to \(parsed), not \(Command.self)")
}

/// The usage error `words` are refused with.
func usageError(_ words: String...) throws -> UsageError {
    do {
        let invocation = try parse(words)
        Issue.record("\(words) parsed to \(invocation.action) instead of being refused")
        throw ParseMismatch()
    } catch let error as UsageError {
        return error
    }
}

/// A parse did not come out as the test expected; the issue is already recorded.
struct ParseMismatch: Error {}
