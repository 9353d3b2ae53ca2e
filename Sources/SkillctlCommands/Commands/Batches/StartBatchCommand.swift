import Foundation
import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl batch start SKILL @FILE.jsonl|-`: starts a batch and, by default, waits for it
/// with a progress bar.
struct StartBatchCommand: SkillctlCommand, Equatable {
    static let skill = Argument(kind: .skill, help: "NAME or NAME@VERSION")
    static let items = Argument(kind: .batchItems, help: """
        the items: the lines of FILE (one JSON value a line, each one run's input; the daemon reads the file, \
        which you must be able to read), or of standard input
        """)
    static let parallelism = Option("--parallelism", kind: .wholeNumber(in: 1...64),
                                    help: "items run at once, 1 to 64 (default 1)")
    static let retries = Option("--retries", kind: .wholeNumber(in: 0...10),
                                help: "retries of a failure that can pass, 0 to 10 (default 2)")
    static let timeout = Option("--timeout", kind: .seconds, help: "the deadline of each run (e.g. 30, 0.5)")
    static let noWait = Flag("--no-wait", help: "print the batch id and return at once")

    static let declaration = CommandDeclaration(
        name: "start", abstract: "runs a skill over each line of a JSONL file, and waits with progress",
        discussion: """
            Starts a batch over the items, then waits for it with its progress on standard
            error and prints its final record (--json: as JSON). Exit status 0 when every
            item is done, 1 when some failed or the batch was cancelled. On a terminal the
            progress is one line redrawn in place; elsewhere, a line each time another tenth
            of the items has ended (or every 10 s while items end), and a final line.
            Interrupting skillctl leaves the batch running: `skillctl batch wait ID` waits
            for it again.
            """,
        arguments: [skill, items], options: [parallelism, retries, timeout, noWait])

    /// `NAME` or `NAME@VERSION`.
    var skill: String
    /// Where the items come from.
    var items: BatchItemSource
    /// `--parallelism`; `nil`: the daemon's default (1).
    var parallelism: Int?
    /// `--retries`; `nil`: the daemon's default (2).
    var retries: Int?
    /// `--timeout`, in milliseconds; `nil`: the daemon's default.
    var timeoutMilliseconds: Int64?
    /// The same, as typed.
    var typedTimeout: TypedTimeout?
    /// Whether to wait for the batch to finish (not `--no-wait`).
    var wait: Bool

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = try arguments.required(Self.skill)
        items = try arguments.required(Self.items)
        parallelism = try arguments.value(Self.parallelism)
        retries = try arguments.value(Self.retries)
        timeoutMilliseconds = try arguments.value(Self.timeout)
        typedTimeout = TypedTimeout(arguments, seconds: Self.timeout)
        wait = !arguments.isSet(Self.noWait)
    }

    func execute(in context: CommandContext) async -> ExitCode {
        let request: StartBatchRequest
        do {
            request = try self.request(in: context)
        } catch {
            Console.error(error.description)
            return .usage
        }
        do {
            let watch = try BatchWatch(socketPath: context.socketPath)
            defer { watch.client.close() }
            let started = try await watch.client.send(request)
            let line = "batch \(started.result.batchID) started with \(started.result.items) items"
            guard wait else {
                Console.output(context.json ? started.json.serialized() : line)
                return .success
            }
            if !context.json { Console.info(line) }
            return try await watch.wait(for: started.result.batchID, json: context.json)
        } catch {
            return Console.report(error, json: context.json, explaining: { typedTimeout?.explanation(of: $0) })
        }
    }

    /// The `batches.start` request: a file is named by its absolute path and read by the
    /// daemon; standard input is read here, one JSON value a line.
    func request(in context: CommandContext) throws(UsageError) -> StartBatchRequest {
        var request = StartBatchRequest(skill: skill, parallelism: parallelism, retries: retries,
                                        timeoutMilliseconds: timeoutMilliseconds)
        switch items {
        case .file(let path): request.inputFile = context.absolute(path)
        case .standardInput: request.items = try Self.standardInputItems()
        }
        return request
    }

    private static func standardInputItems() throws(UsageError) -> [JSONValue] {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        var items: [JSONValue] = []
        for (offset, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") })
            else { continue }
            do {
                items.append(try JSONValue(parsing: Array(line)))
            } catch {
                throw UsageError("line \(offset + 1) of standard input is not JSON (\(error)): each line must be one JSON value",
                                 command: "batch start")
            }
        }
        return items
    }
}
