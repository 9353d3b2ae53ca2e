import JSON
import JSONRPC
import SkillhostProtocol

/// A connection that waits for a batch with its progress on standard error: what
/// `batch start` (after starting it) and `batch wait` share.
struct BatchWatch: Sendable {
    /// The connection, whose `batch.progress` notifications draw ``progress``.
    let client: JSONRPCClient
    /// The progress shown while waiting.
    let progress: BatchProgressLine

    /// Connects to the daemon at `socketPath`.
    /// - Throws: when the daemon cannot be reached.
    init(socketPath: String) throws(JSONRPCClientError) {
        let progress = BatchProgressLine()
        self.progress = progress
        client = try JSONRPCClient(socketPath: socketPath) { method, params in
            if let update = BatchProgressNotification(method: method, params: params) { progress.show(update) }
        }
    }

    /// Waits for batch `id` to finish, then shows its final counts and prints its final
    /// record (with `json`, as JSON); returns 0 when every item is done, 1 when some failed
    /// or the batch was cancelled.
    /// - Throws: when the daemon answers with an error or the connection drops; the
    ///   progress line is ended first.
    func wait(for id: Int64, json: Bool) async throws(JSONRPCClientError) -> ExitCode {
        let final: JSONValue
        do {
            final = try await client.send(WaitBatchRequest(batchID: id)).result
        } catch {
            progress.finish()
            throw error
        }
        progress.finish(with: final)
        Console.output(json ? final.serialized() : BatchOutput.renderBatch(final))
        return Self.exitCode(of: final)
    }

    /// 0 for a batch done with no item failed, else 1.
    static func exitCode(of batch: JSONValue) -> ExitCode {
        let failed = batch["counts"]?["failed"]?.int64Value ?? 0
        return batch["status"]?.stringValue == "done" && failed == 0 ? .success : .failed
    }
}
