import Foundation

/// A program run to its end: how it ended and what it printed.
///
/// Its outputs go to files, not pipes, so that a program that prints a lot on both (a
/// build) never stalls on a full pipe that nobody reads.
public struct ProgramRun: Sendable {
    /// How it ended.
    public let termination: Termination
    /// What it wrote to standard output.
    public let standardOutput: String
    /// What it wrote to standard error.
    public let standardError: String

    /// Runs `executable` (a path, or a name looked up in `PATH`) with `arguments` and
    /// `environment`, standard input from `/dev/null`, and waits at most `timeout`.
    public static func run(_ executable: String, _ arguments: [String] = [],
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           timeout: Duration = .seconds(60)) async throws(TestSupportError) -> ProgramRun {
        let directory = try TemporaryDirectory(prefix: "run")
        let output = directory.path("stdout"), errors = directory.path("stderr")
        let child = try ChildProcess(executable, arguments: arguments, environment: environment,
                                     standardOutput: .file(output), standardError: .file(errors))
        let termination = try await child.wait(timeout: timeout)
        return ProgramRun(termination: termination,
                          standardOutput: (try? String(contentsOfFile: output, encoding: .utf8)) ?? "",
                          standardError: (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")
    }

    /// Whether it exited with status 0.
    public var succeeded: Bool { termination.isSuccess }

    /// Its standard output's lines, without empty ones.
    public var lines: [String] {
        standardOutput.split(separator: "\n").map(String.init)
    }
}

extension ProgramRun: CustomStringConvertible {
    public var description: String {
        "\(termination); standard output:\n\(standardOutput)\nstandard error:\n\(standardError)"
    }
}
