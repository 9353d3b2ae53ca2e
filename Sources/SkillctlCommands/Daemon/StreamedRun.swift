import Foundation
import JSON
import JSONRPC
import SkillhostProtocol
import Synchronization

/// Carries out `skillctl run --stream` and `skillctl runs attach`: prints the run's output as
/// the daemon streams it (`run.output` notifications) and its log lines on standard error
/// (`run.log`), then ends with the run's status.
enum StreamedRun {
    /// Calls `skills.run` with `stream: true` at `socketPath` and returns skillctl's exit status.
    ///
    /// Without `json`, each chunk goes to standard output as it comes, with nothing added
    /// between chunks, and a final newline when the output does not end with one; each log
    /// line goes to standard error as `LEVEL   message`, on a line of its own even when
    /// both go to the same place (a terminal, `2>&1`) and the output stopped mid-line. With `json`, each notification is
    /// one line of JSON (`{"method", "params"}`) on standard output, then the result.
    /// `explaining` says a daemon error in the command's terms, as ``Console/report(_:json:explaining:)``.
    static func run(_ request: RunSkillRequest, at socketPath: String, json: Bool,
                    explaining: (JSONRPCError) -> String?) async -> ExitCode {
        await follow(request, at: socketPath, json: json, explaining: explaining) { answer in
            if json { Console.output(answer.json.serialized()) }
            return .success
        }
    }

    /// Carries out `skillctl runs attach ID`: prints run `runID`'s output and log lines as
    /// ``run(_:at:json:explaining:)`` does, from its beginning (`runs.attach`), and ends
    /// with the run's outcome (``RunEnding``).
    static func attach(to runID: Int64, at socketPath: String, json: Bool) async -> ExitCode {
        await follow(AttachRunRequest(runID: runID), at: socketPath, json: json, explaining: { _ in nil }) { answer in
            RunEnding.finish(answer.result, json: json, printsOutput: false)
        }
    }

    /// Sends `request` at `socketPath`, printing the run notifications that come before its
    /// answer, and ends as `ending` says of the answer.
    private static func follow<Request: SkillhostRequest>(
        _ request: Request, at socketPath: String, json: Bool, explaining: (JSONRPCError) -> String?,
        ending: (Answer<Request>) -> ExitCode
    ) async -> ExitCode {
        let printer = StreamPrinter(json: json)
        do {
            let client = try JSONRPCClient(socketPath: socketPath) { method, params in
                printer.show(method: method, params: params)
            }
            defer { client.close() }
            let answer = try await client.send(request)
            printer.finish()
            return ending(answer)
        } catch {
            printer.finish()
            return Console.report(error, json: json, explaining: explaining)
        }
    }
}

/// Prints a streamed run's notifications as they come, on the client's reader thread, and
/// remembers whether the output, and the place both streams go to, are at the start of a line.
private final class StreamPrinter: Sendable {
    private struct Position {
        /// Whether the output printed so far is empty or ends with a newline.
        var outputAtLineStart = true
        /// Whether what standard output and standard error both go to (a terminal, a pipe
        /// or a file) is at the start of a line: a log line in the middle of an output line
        /// starts on a line of its own there, without a newline added to the output itself.
        var sharedAtLineStart = true
    }

    private let json: Bool
    private let sharesDestination = StreamPrinter.sameFile(STDOUT_FILENO, STDERR_FILENO)
    /// A `Mutex` because notifications are printed on the client's reader thread and
    /// `finish` runs on the caller's task.
    private let position = Mutex(Position())

    init(json: Bool) {
        self.json = json
    }

    /// Prints one notification; ignores any other than `run.output` and `run.log`.
    func show(method: String, params: JSONValue?) {
        let output = RunOutputNotification(method: method, params: params)
        let log = RunLogNotification(method: method, params: params)
        guard output != nil || log != nil else { return }
        if json {
            let line: JSONValue = .object(["method": .string(method), "params": params ?? .null])
            FileHandle.standardOutput.write(Data((line.serialized() + "\n").utf8))
            return
        }
        if let chunk = output?.chunk, !chunk.isEmpty {
            position.withLock { position in
                FileHandle.standardOutput.write(Data(chunk.utf8))
                position.outputAtLineStart = chunk.hasSuffix("\n")
                position.sharedAtLineStart = position.outputAtLineStart
            }
        } else if let log {
            let level = log.level.padding(toLength: 7, withPad: " ", startingAt: 0)
            position.withLock { position in
                let lineBreak = sharesDestination && !position.sharedAtLineStart ? "\n" : ""
                FileHandle.standardError.write(Data("\(lineBreak)\(level) \(log.message)\n".utf8))
                position.sharedAtLineStart = true
            }
        }
    }

    /// Ends the output's last line, if the output did not (where both streams go to the
    /// same place: if it is not at the start of a line already).
    func finish() {
        guard !json else { return }
        position.withLock { position in
            let needsNewline = sharesDestination ? !position.sharedAtLineStart : !position.outputAtLineStart
            if needsNewline { FileHandle.standardOutput.write(Data("\n".utf8)) }
            position = Position()
        }
    }

    /// Whether descriptors `first` and `second` are the same open file (device and inode):
    /// the same terminal, the same pipe, the same file.
    private static func sameFile(_ first: Int32, _ second: Int32) -> Bool {
        var one = stat()
        var other = stat()
        guard fstat(first, &one) == 0, fstat(second, &other) == 0 else { return false }
        return one.st_dev == other.st_dev && one.st_ino == other.st_ino
    }
}
