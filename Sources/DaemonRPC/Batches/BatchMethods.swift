import Foundation
import JSON
import JSONRPC
import Registry
import SkillDaemon
import SkillhostProtocol

/// The `batches.*` methods of docs/PROTOCOL.md.
struct BatchMethods: Sendable {
    /// How often `batches.wait` looks at the batch and sends `batch.progress`.
    static let progressInterval: Duration = .milliseconds(250)

    let registry: Registry
    let runs: RunService
    let batches: BatchRunner

    /// Registers the handlers of these methods.
    func register(in handlers: inout RequestHandlers) {
        handlers.register(StartBatchRequest.self) { request, call in try start(request, call: call) }
        handlers.register(GetBatchRequest.self) { request, _ in BatchEncoding.json(try batch(id: request.batchID)) }
        handlers.register(ListBatchesRequest.self) { request, _ in try list(request) }
        handlers.register(BatchItemsRequest.self) { request, _ in try items(request) }
        handlers.register(CancelBatchRequest.self) { request, _ in try cancel(id: request.batchID) }
        handlers.register(WaitBatchRequest.self) { request, call in try await wait(id: request.batchID, connection: call.connection) }
    }

    private func start(_ request: StartBatchRequest, call: JSONRPCCall) throws -> StartedBatch {
        let skill = try runs.resolveSkill(request.skill)
        try runs.activity.checkAccepting(skill)
        let items: [JSONValue]
        switch (request.items, request.inputFile) {
        case let (listed?, nil): items = listed
        case let (nil, file?):
            let peer = try call.localUser(because: "reads input_file as the calling user")
            items = try BatchInputFile.items(path: file, uid: peer.uid, gid: peer.gid)
        case (nil, nil): throw ServiceError.invalidParams("give the batch's items: items (an array) or input_file (a JSONL file)")
        case (_?, _?): throw ServiceError.invalidParams("give items or input_file, not both")
        }
        guard !items.isEmpty else { throw ServiceError.invalidParams("a batch needs at least one item; none were given") }
        let parallelism = try ParameterCheck.value(request.parallelism, named: "parallelism", default: 1, in: 1...64)
        let retries = try ParameterCheck.value(request.retries, named: "retries", default: 2, in: 0...10)
        let timeout = request.timeoutMilliseconds
        if let timeout {
            guard timeout > 0 else { throw ServiceError.invalidParams("timeout_ms must be at least 1, not \(timeout)") }
            try runs.checkTimeout(.milliseconds(timeout))
        }
        let batch = try registry.createBatch(NewBatch(
            skillName: skill.name, skillVersion: skill.version, skillSHA256: skill.sha256, parallelism: parallelism,
            maximumRetries: retries, timeoutMilliseconds: timeout, model: request.model,
            callerUID: call.caller.process?.uid, callerToken: call.caller.credentialName,
            callerTokenID: call.caller.credentialID, createdAt: Date(), inputs: items.map { $0.serialized() }))
        batches.start(batch)
        return StartedBatch(batchID: batch.id, items: Int64(items.count))
    }

    private func batch(id: Int64) throws -> BatchRecord {
        guard let batch = try registry.batch(id: id) else { throw Self.notFound(id) }
        return batch
    }

    private func list(_ request: ListBatchesRequest) throws -> BatchList {
        let limit = try ParameterCheck.value(request.limit, named: "limit", default: 50, in: 1...1000)
        return BatchList(batches: try registry.batches(limit: limit, before: request.before).map(BatchEncoding.json))
    }

    private func items(_ request: BatchItemsRequest) throws -> BatchItems {
        let id = request.batchID
        let limit = try ParameterCheck.value(request.limit, named: "limit", default: 1000, in: 1...10_000)
        let status = try ParameterCheck.choice(request.status, named: "status", as: BatchItemStatus.self)
        let query = BatchItemQuery(batchID: id, status: status, limit: limit, after: request.after)
        guard let page = try registry.batchItems(matching: query) else { throw Self.notFound(id) }
        return BatchItems(batchID: id, items: page.map(BatchEncoding.json))
    }

    private func cancel(id: Int64) throws -> JSONValue {
        guard let batch = try batches.cancel(id: id) else { throw Self.notFound(id) }
        return BatchEncoding.json(batch)
    }

    /// Waits for the batch to finish, sending the caller `batch.progress` at most every
    /// ``progressInterval``, and returns its final record.
    private func wait(id: Int64, connection: JSONRPCConnectionHandle) async throws -> JSONValue {
        var batch = try batch(id: id)
        let rate = BatchRate(ended: batch.counts.total - batch.counts.unfinished)
        while !batch.isFinished {
            let ended = batch.counts.total - batch.counts.unfinished
            let perSecond = rate.perSecond(ended: ended)
            connection.notify(BatchProgressNotification(
                batchID: batch.id, counts: BatchEncoding.countsByState(batch.counts), ratePerSecond: perSecond,
                secondsLeft: perSecond > 0 ? Double(batch.counts.unfinished) / perSecond : nil))
            do {
                try await Task.sleep(for: Self.progressInterval)
            } catch {
                throw ServiceError(.cancelled, "\(WaitBatchRequest.method) for batch \(batch.id) was cancelled; the batch goes on")
            }
            batch = try self.batch(id: id)
        }
        return BatchEncoding.json(batch)
    }

    private static func notFound(_ id: Int64) -> ServiceError {
        ServiceError(.notFound, "no batch \(id): check the id that \(StartBatchRequest.method) returned")
    }
}
