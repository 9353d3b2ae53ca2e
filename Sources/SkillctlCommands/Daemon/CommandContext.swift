import Foundation

/// Where a command runs: the daemon it talks to, how it prints, what relative paths mean.
struct CommandContext: Sendable {
    /// The daemon's socket.
    let socketPath: String
    /// `--json`: print the daemon's JSON as it comes.
    let json: Bool
    /// What relative paths on the command line are resolved against.
    let workingDirectory: String

    /// `path` made absolute against the working directory, without `.` and `..`.
    func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }
}
