import Foundation
import JSON
import JSONRPC

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
                if method == "batch.progress", let params { progress.show(params) }
            }
            defer { client.close() }
            switch command {
            case let .start(start):
                let params: JSONValue
                do {
                    params = try startParams(start, workingDirectory: workingDirectory)
                } catch {
                    Console.error(error.description)
                    return .usage
                }
                let started = try await client.call("batches.start", params: params)
                guard start.wait, let id = started["batch_id"] else {
                    Console.output(json ? started.serialized()
                        : "batch \(Formatting.plain(started["batch_id"])) started with \(Formatting.plain(started["items"])) items")
                    return .success
                }
                if !json { Console.error("batch \(Formatting.plain(id)) started with \(Formatting.plain(started["items"])) items") }
                let final = try await client.call("batches.wait", params: ["batch_id": id])
                progress.finish()
                Console.output(json ? final.serialized() : BatchOutput.renderBatch(final))
                return exitCode(final)
            case let .show(id):
                let batch = try await client.call("batches.get", params: ["batch_id": .int(id)])
                Console.output(json ? batch.serialized() : BatchOutput.renderBatch(batch))
            case let .cancel(id):
                let batch = try await client.call("batches.cancel", params: ["batch_id": .int(id)])
                Console.output(json ? batch.serialized() : BatchOutput.renderBatch(batch))
            case let .items(id, status):
                let items = try await allItems(of: id, status: status, client: client)
                Console.output(json ? JSONValue.object(["batch_id": .int(id), "items": .array(items)]).serialized()
                    : BatchOutput.renderItems(items))
            case let .results(id):
                var after: Int64?
                repeat {
                    let page = try await itemsPage(of: id, status: nil, after: after, client: client)
                    if !page.isEmpty { Console.output(page.map(BatchOutput.resultLine).joined(separator: "\n")) }
                    after = page.count == pageSize ? page.last?["index"]?.int64Value : nil
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

    /// `batches.start`'s params: a file is named by its absolute path and read by the
    /// daemon; standard input is read here, one JSON value a line.
    private static func startParams(_ start: BatchStart, workingDirectory: String) throws(UsageError) -> JSONValue {
        var params: [String: JSONValue] = ["skill": .string(start.skill)]
        if let file = start.inputFile {
            params["input_file"] = .string(Command.absolute(file, in: workingDirectory))
        } else {
            params["items"] = .array(try standardInputItems())
        }
        if let parallelism = start.parallelism { params["parallelism"] = .int(Int64(parallelism)) }
        if let retries = start.retries { params["retries"] = .int(Int64(retries)) }
        if let timeout = start.timeoutMilliseconds { params["timeout_ms"] = .int(timeout) }
        return .object(params)
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
        var after: Int64?
        repeat {
            let page = try await itemsPage(of: id, status: status, after: after, client: client)
            items += page
            after = page.count == pageSize ? page.last?["index"]?.int64Value : nil
        } while after != nil
        return items
    }

    private static func itemsPage(of id: Int64, status: String?, after: Int64?, client: JSONRPCClient)
        async throws(JSONRPCClientError) -> [JSONValue]
    {
        var params: [String: JSONValue] = ["batch_id": .int(id), "limit": .int(Int64(pageSize))]
        if let status { params["status"] = .string(status) }
        if let after { params["after"] = .int(after) }
        return try await client.call("batches.items", params: .object(params))["items"]?.arrayValue ?? []
    }
}
