/// A command line skillctl cannot act on: what was wrong, and whose help to read.
struct UsageError: Error, Equatable, CustomStringConvertible {
    /// What was wrong and what was expected.
    let message: String
    /// The command whose `--help` explains it, as typed after `skillctl` (`runs show`);
    /// `nil` for the tool's own.
    let command: String?

    init(_ message: String, command: String? = nil) {
        self.message = message
        self.command = command
    }

    var description: String {
        "\(message)\nsee `skillctl\(command.map { " \($0)" } ?? "") --help`"
    }
}
