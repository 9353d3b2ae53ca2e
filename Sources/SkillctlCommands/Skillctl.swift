import Foundation
import SkillhostModel
import SkillhostProtocol

/// What skillctl does with its command line, from parsing to exit status.
package enum Skillctl {
    /// Runs skillctl with `arguments` (without the program name) and returns its exit status.
    package static func run(_ arguments: [String], environment: [String: String], workingDirectory: String) async -> ExitCode {
        let invocation: Invocation
        do {
            invocation = try SkillctlCommandList.parser.parse(arguments)
        } catch {
            Console.error(error.description)
            return .usage
        }
        switch invocation.action {
        case .help(let topic):
            Console.output(HelpText(parser: SkillctlCommandList.parser).text(for: topic))
            return .success
        case .version:
            Console.output("skillctl \(SkillhostRelease.version)")
            return .success
        case .execute(let command):
            let context = CommandContext(
                socketPath: SkillhostSocketPath.resolve(explicit: invocation.socketPath, environment: environment),
                json: invocation.json, workingDirectory: workingDirectory)
            return await command.execute(in: context)
        }
    }
}
