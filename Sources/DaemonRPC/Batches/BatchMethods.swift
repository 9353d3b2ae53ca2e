import Foundation
import JSON
import JSONRPC
import Registry
import SkillDaemon

/// The `batches.*` methods of docs/PROTOCOL.md.
struct BatchMethods: Sendable {
    /// How often `batches.wait` looks at the batch and sends `batch.progress`.
    static let progressInterval: Duration = .milliseconds(250)

    let registry: Registry
    let runs: RunService
    let batches: BatchRunner
    let configuration: DaemonConfiguration

    /// Handles `call` when it is a `batches.*` method; `nil` for any other method.
    func handle(_ call: JSONRPCCall) async throws -> JSONValue? {
        let params = JSONRPCParams(call.params)
        switch call.method {
        case "batches.start": return try start(params, peer: call.peer)
        case "batches.get": return BatchEncoding.json(try batch(params))
        case "batches.items": return try items(params)
        case "batches.cancel": return try cancel(params)
        case "batches.wait": return try await wait(params, connection: call.connection)
        default: return nil
        }
    }

    private func start(_ params: JSONRPCParams, peer: PeerCredentials) throws -> JSONValue {
        try params.allowOnly(["skill", "items", "input_file", "parallelism", "retries", "timeout_ms", "model"])
        let skill = try runs.resolveSkill(try params.required("skill", as: String.self))
        let listed = try params.optional("items", as: [JSONValue].self)
        let file = try params.optional("input_file", as: String.self)
        let items: [JSONValue]
        switch (listed, file) {
        case let (listed?, nil): items = listed
        case let (nil, file?): items = try BatchInputFile.items(path: file, uid: peer.uid, gid: peer.gid)
        case (nil, nil): throw ServiceError.invalidParams("give the batch's items: items (an array) or input_file (a JSONL file)")
        case (_?, _?): throw ServiceError.invalidParams("give items or input_file, not both")
        }
        guard !items.isEmpty else { throw ServiceError.invalidParams("a batch needs at least one item; none were given") }
        let parallelism = try params.optional("parallelism", as: Int.self) ?? 1
        guard (1...64).contains(parallelism) else {
            throw ServiceError.invalidParams("parallelism must be 1 to 64, not \(parallelism)")
        }
        let retries = try params.optional("retries", as: Int.self) ?? 2
        guard (0...10).contains(retries) else { throw ServiceError.invalidParams("retries must be 0 to 10, not \(retries)") }
        let timeout = try params.optional("timeout_ms", as: Int64.self)
        if let timeout {
            let maximum = Int64(configuration.maximumRunTimeout.milliseconds)
            guard (1...maximum).contains(timeout) else {
                throw ServiceError.invalidParams("timeout_ms must be 1 to \(maximum) (max_run_timeout_ms), not \(timeout)")
            }
        }
        let batch = try registry.createBatch(NewBatch(
            skillName: skill.name, skillVersion: skill.version, skillSHA256: skill.sha256, parallelism: parallelism,
            maximumRetries: retries, timeoutMilliseconds: timeout, model: try params.optional("model", as: String.self),
            callerUID: peer.uid, createdAt: Date(), inputs: items.map { $0.serialized() }))
        batches.start(batch)
        return .object(["batch_id": .int(batch.id), "items": .int(Int64(items.count))])
    }

    private func batch(_ params: JSONRPCParams) throws -> BatchRecord {
        let id = try params.required("batch_id", as: Int64.self)
        guard let batch = try registry.batch(id: id) else { throw Self.notFound(id) }
        return batch
    }

    private func items(_ params: JSONRPCParams) throws -> JSONValue {
        let id = try params.required("batch_id", as: Int64.self)
        let limit = try params.optional("limit", as: Int.self) ?? 1000
        guard (1...10_000).contains(limit) else { throw ServiceError.invalidParams("limit must be 1 to 10000, not \(limit)") }
        var status: BatchItemStatus?
        if let name = try params.optional("status", as: String.self) {
            guard let known = BatchItemStatus(rawValue: name) else {
                throw ServiceError.invalidParams(
                    "status must be one of \(BatchItemStatus.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(name)\"")
            }
            status = known
        }
        let query = BatchItemQuery(batchID: id, status: status, limit: limit, after: try params.optional("after", as: Int.self))
        guard let page = try registry.batchItems(matching: query) else { throw Self.notFound(id) }
        return .object(["batch_id": .int(id), "items": .array(page.map(BatchEncoding.json))])
    }

    private func cancel(_ params: JSONRPCParams) throws -> JSONValue {
        let id = try params.required("batch_id", as: Int64.self)
        guard let batch = try batches.cancel(id: id) else { throw Self.notFound(id) }
        return BatchEncoding.json(batch)
    }

    /// Waits for the batch to finish, sending the caller `batch.progress` at most every
    /// ``progressInterval``, and returns its final record.
    private func wait(_ params: JSONRPCParams, connection: JSONRPCConnectionHandle) async throws -> JSONValue {
        var batch = try batch(params)
        let rate = BatchRate(ended: batch.counts.total - batch.counts.unfinished)
        while !batch.isFinished {
            let ended = batch.counts.total - batch.counts.unfinished
            let perSecond = rate.perSecond(ended: ended)
            connection.notify(method: "batch.progress", params: .object([
                "batch_id": .int(batch.id),
                "counts": BatchEncoding.counts(batch.counts),
                "rate_per_s": .double(perSecond),
                "eta_s": perSecond > 0 ? .double(Double(batch.counts.unfinished) / perSecond) : .null,
            ]))
            do {
                try await Task.sleep(for: Self.progressInterval)
            } catch {
                throw ServiceError.domain(.cancelled, "batches.wait for batch \(batch.id) was cancelled; the batch goes on")
            }
            batch = try self.batch(params)
        }
        return BatchEncoding.json(batch)
    }

    private static func notFound(_ id: Int64) -> ServiceError {
        .domain(.notFound, "no batch \(id): check the id that batches.start returned")
    }
}
