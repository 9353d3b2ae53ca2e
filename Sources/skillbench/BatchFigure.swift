import JSON
import JSONRPC
import SkillhostProtocol

extension BenchSession {
    /// Figure 5: items per second of a ``BenchPlan/batchItems``-item batch of the in-process
    /// noop at each parallelism, from `batches.start` to the end of `batches.wait`; and the
    /// worker noop at the highest parallelism.
    func measureBatches(_ daemon: DaemonUnderTest) throws(BenchError) {
        let client = try LineClient(socketPath: daemon.socketPath)
        let items = JSONValue.array(Array(repeating: .object([:]), count: plan.batchItems))
        var configurations = plan.parallelisms.map { (skill: Self.inProcessNoop, parallelism: $0) }
        configurations.append((Self.workerNoop, plan.parallelisms.max() ?? 8))
        for (skill, parallelism) in configurations {
            let started = MonotonicClock.now()
            let batch = try client.call(StartBatchRequest.self, [
                "skill": .string(skill), "items": items, "parallelism": .int(Int64(parallelism)), "retries": 0,
            ])
            guard let id = batch["batch_id"] else { throw BenchError("batches.start answered without batch_id: \(batch)") }
            let final = try client.call(WaitBatchRequest.self, ["batch_id": id])
            let seconds = MonotonicClock.seconds(since: started)
            let done = final["counts"]?["done"]?.int64Value ?? 0
            guard done == Int64(plan.batchItems) else {
                throw BenchError("batch \(id) of \(skill) ended with \(done) of \(plan.batchItems) items done: \(final)")
            }
            let kind = skill == Self.inProcessNoop ? "in-process" : "worker"
            report.add(BenchRow(figure: 5, key: "batch.\(skill == Self.inProcessNoop ? "inprocess" : "worker").\(parallelism)",
                                label: "\(plan.batchItems)-item batch, \(kind) noop, parallelism \(parallelism)",
                                value: Double(done) / seconds, unit: "items/s"))
        }
    }
}
