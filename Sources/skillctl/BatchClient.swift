import Foundation
import JSON
import JSONRPC
import SkillhostProtocol

/// Carries out `skillctl batch ...`: unlike the other commands, some make several calls
/// (paging through items) or wait with a progress bar.
enum BatchClient {
    /// How many items one `batches.items` call asks for.
    private static let pageSize = 1000

    /// Runs `command` against the daemon at `socketPath` and returns skillctl's exit status.
    static func run(_ command: BatchCommand, socketPath: String, json: Bool, workingDirectory: String) async -> ExitCode {
        let progress = BatchProgressLine()
        do {
            let client = try JSONRPCClient(socketPath: socketPath) { method, params in
                if let update = BatchProgressNotification(method: method, params: params) { progress.show(update) }
            }
            defer { client.close() }
            switch command {
            case let .start(start):
                let request: StartBatchRequest
                do {
                    request = try startRequest(start, workingDirectory: workingDirectory)
                } catch {
                    Console.error(error.description)
                    return .usage
                }
                let started = try await client.send(request)
                let line = "batch \(started.result.batchID) started with \(started.result.items) items"
                guard start.wait else {
                    Console.output(json ? started.json.serialized() : line)
                    return .success
                }
                if !json { Console.error(line) }
                let final = try await client.send(WaitBatchRequest(batchID: started.result.batchID)).result
                progress.finish()
                Console.output(json ? final.serialized() : BatchOutput.renderBatch(final))
                return exitCode(final)
            case let .show(id):
                let batch = try await client.send(GetBatchRequest(batchID: id)).result
                Console.output(json ? batch.serialized() : BatchOutput.renderBatch(batch))
            case let .cancel(id):
                let batch = try await client.send(CancelBatchRequest(batchID: id)).result
                Console.output(json ? batch.serialized() : BatchOutput.renderBatch(batch))
            case let .items(id, status):
                let items = try await allItems(of: id, status: status, client: client)
                Console.output(json ? JSONValue.object(["batch_id": .int(id), "items": .array(items)]).serialized()
                    : BatchOutput.renderItems(items))
            case let .results(id):
                var after: Int?
                repeat {
                    let page = try await itemsPage(of: id, status: nil, after: after, client: client)
                    if !page.isEmpty { Console.output(page.map(BatchOutput.resultLine).joined(separator: "\n")) }
                    after = page.count == pageSize ? page.last?["index"]?.int64Value.flatMap { Int(exactly: $0) } : nil
                } while after != nil
            }
            return .success
        } catch {
            progress.finish()
            return Console.report(error, json: json)
        }
    }

    /// 0 when every item is done; 1 when some failed or the batch was cancelled.
    private static func exitCode(_ batch: JSONValue) -> ExitCode {
        let failed = batch["counts"]?["failed"]?.int64Value ?? 0
        return batch["status"]?.stringValue == "done" && failed == 0 ? .success : .failed
    }

    /// The `batches.start` request: a file is named by its absolute path and read by the
    /// daemon; standard input is read here, one JSON value a line.
    private static func startRequest(_ start: BatchStart, workingDirectory: String) throws(UsageError) -> StartBatchRequest {
        var request = StartBatchRequest(
            skill: start.skill, parallelism: start.parallelism, retries: start.retries,
            timeoutMilliseconds: start.timeoutMilliseconds)
        if let file = start.inputFile {
            request.inputFile = Command.absolute(file, in: workingDirectory)
        } else {
            request.items = try standardInputItems()
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

    private static func allItems(of id: Int64, status: String?, client: JSONRPCClient) async throws(JSONRPCClientError) -> [JSONValue] {
        var items: [JSONValue] = []
        var after: Int?
        repeat {
            let page = try await itemsPage(of: id, status: status, after: after, client: client)
            items += page
            after = page.count == pageSize ? page.last?["index"]?.int64Value.flatMap { Int(exactly: $0) } : nil
        } while after != nil
        return items
    }

    private static func itemsPage(of id: Int64, status: String?, after: Int?, client: JSONRPCClient)
        async throws(JSONRPCClientError) -> [JSONValue]
    {
        try await client.send(BatchItemsRequest(batchID: id, status: status, limit: pageSize, after: after)).result.items
    }
}
