import Foundation
import SkillctlCommands

let status = await Skillctl.run(Array(CommandLine.arguments.dropFirst()),
                                environment: ProcessInfo.processInfo.environment,
                                workingDirectory: FileManager.default.currentDirectoryPath)
exit(status.rawValue)
