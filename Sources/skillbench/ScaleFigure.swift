import Glibc
import JSON
import JSONRPC
import SkillhostProtocol

extension BenchSession {
    /// Figure 4, worker respawn: kills every worker of the noop skill (SIGKILL, as a crash
    /// would), waits until they are gone, and times the next run, which has to spawn a worker
    /// and load the skill before running it.
    func measureRespawn(_ daemon: DaemonUnderTest) throws(BenchError) {
        let client = try LineClient(socketPath: daemon.socketPath)
        let request = Self.runRequest(Self.workerNoop)
        let sha256 = try client.call(GetSkillRequest.self, ["name": .string(Self.workerNoop)])["sha256"]?.stringValue ?? ""
        var samples: [UInt64] = []
        for _ in 0..<plan.respawns {
            _ = try client.roundTrip(request)
            try settleWorkers(daemon, sha256: sha256)
            let workers = daemon.workerPIDs(sha256: sha256)
            guard !workers.isEmpty else { throw BenchError("found no worker of \(Self.workerNoop) to kill (sha256 \(sha256))") }
            workers.forEach { kill($0, SIGKILL) }
            let killed = MonotonicClock.now()
            while workers.contains(where: ProcFiles.exists) {
                guard MonotonicClock.seconds(since: killed) < 10 else {
                    throw BenchError("skillhostd did not reap its killed workers \(workers) within 10 s")
                }
                usleep(1_000)
            }
            // After reaping, a worker waits up to 250 ms for its output pipes before it counts
            // as ended; a run that comes sooner is handed the dead idle workers, and fails
            // once two of them were dead (docs/BENCHMARKS.md). Measure the respawn, not that.
            usleep(300_000)
            let sent = MonotonicClock.now()
            let answer = try client.roundTrip(request)
            samples.append(MonotonicClock.now() - sent)
            guard answer.starts(with: RPCRequestLine.successPrefix) else {
                throw BenchError("the run after killing its workers failed: \(String(decoding: answer.prefix(600), as: UTF8.self))")
            }
        }
        report.add(.latency(4, "respawn.worker", "worker respawn: first run after its workers were killed (spawn + load + run)",
                            LatencySummary(nanoseconds: samples), unit: "ms"))
    }

    /// Waits until the pool of the skill has stopped starting workers (the count is steady
    /// for 200 ms), so that a kill finds every worker.
    private func settleWorkers(_ daemon: DaemonUnderTest, sha256: String) throws(BenchError) {
        var last = -1
        var steadySince = MonotonicClock.now()
        let started = steadySince
        while MonotonicClock.seconds(since: steadySince) < 0.2 {
            let count = daemon.workerPIDs(sha256: sha256).count
            if count != last { last = count; steadySince = MonotonicClock.now() }
            guard MonotonicClock.seconds(since: started) < 20 else { throw BenchError("the worker pool of \(sha256) never settled") }
            usleep(20_000)
        }
    }

    /// Figure 4, memory and space: a fresh daemon's RSS idle, after a warm-up of 1,000 runs,
    /// and after ``BenchPlan/rssRuns`` more (8 clients); the registry's bytes per run.
    func measureMemory() throws(BenchError) {
        let daemon = try startDaemon(named: "memory")
        defer { daemon.stop() }
        let request = Self.runRequest(Self.inProcessNoop)
        report.add(BenchRow(figure: 4, key: "rss.idle", label: "daemon RSS idle (fresh daemon)",
                            value: Double(try daemon.residentBytes()) / 1_048_576, unit: "MiB"))
        _ = try LoadGenerator.run(socketPath: daemon.socketPath, request: request, clients: 8, stop: .calls(125))
        report.add(BenchRow(figure: 4, key: "rss.warm", label: "daemon RSS after 1,000 runs (warm)",
                            value: Double(try daemon.residentBytes()) / 1_048_576, unit: "MiB"))
        let registry = try RegistryFile(path: daemon.dataDirectory + "/registry.sqlite3", readOnly: true)
        let bytesBefore = try registry.usedBytes()
        let result = try LoadGenerator.run(socketPath: daemon.socketPath, request: request, clients: 8,
                                           stop: .calls(plan.rssRuns / 8))
        let bytesAfter = try registry.usedBytes()
        report.add(BenchRow(figure: 4, key: "rss.after_runs",
                            label: "daemon RSS after \(result.completed) more runs (8 clients, \(Int(result.rate)) runs/s)",
                            value: Double(try daemon.residentBytes()) / 1_048_576, unit: "MiB", baseline: "rss.warm"))
        report.add(BenchRow(figure: 4, key: "registry.bytes_per_run", label: "registry size per noop run (pages in use)",
                            value: Double(bytesAfter - bytesBefore) / Double(result.completed), unit: "bytes"))
    }

    /// Figure 4, scale: ``BenchPlan/bulkRuns`` runs generated straight into a stopped
    /// daemon's registry, then the daemon's start and its `runs.list` and `host.status`
    /// latencies over them.
    func measureScale() throws(BenchError) {
        let daemon = try startDaemon(named: "scale")
        defer { daemon.stop() }
        _ = try LoadGenerator.run(socketPath: daemon.socketPath, request: Self.runRequest(Self.inProcessNoop),
                                  clients: 1, stop: .calls(10))
        daemon.stop()
        let path = daemon.dataDirectory + "/registry.sqlite3"
        let generated = MonotonicClock.now()
        let count: Int
        do {
            let registry = try RegistryFile(path: path, readOnly: false)
            try registry.addRuns(plan.bulkRuns, otherSkill: Self.workerNoop)
            count = try registry.runCount()
            report.add(BenchRow(figure: 4, key: "registry.bytes_per_run_bulk",
                                label: "registry size per run at \(count) runs (bulk, all indexes)",
                                value: Double(try registry.usedBytes()) / Double(count), unit: "bytes",
                                note: "generated in \(Int(MonotonicClock.seconds(since: generated))) s"))
        }
        let startSeconds = try daemon.start()
        report.add(BenchRow(figure: 4, key: "scale.start", label: "daemon start to first answer at \(count) runs",
                            value: startSeconds * 1000, unit: "ms"))
        let variants: [(key: String, label: String, params: JSONValue)] = [
            ("default", "runs.list (newest 50)", .object([:])),
            ("limit1000", "runs.list limit 1000", ["limit": 1000]),
            ("skill", "runs.list skill filter (1 run in 10)", ["skill": .string(Self.workerNoop)]),
            ("status", "runs.list status failed (1 run in 100)", ["status": "failed"]),
            ("before", "runs.list page in the middle (before = id/2)", ["before": .int(Int64(count / 2))]),
        ]
        for variant in variants {
            let request = RPCRequestLine.make(method: ListRunsRequest.method, params: variant.params)
            let latency = try LoadGenerator.run(socketPath: daemon.socketPath, request: request, clients: 1,
                                                stop: .calls(plan.listCalls)).latencies
            report.add(.latency(4, "scale.list.\(variant.key)", "\(variant.label) at \(count) runs", latency, unit: "ms"))
        }
        let status = try LoadGenerator.run(socketPath: daemon.socketPath, request: RPCRequestLine.make(method: HostStatusRequest.method, params: .object([:])),
                                           clients: 1, stop: .calls(max(plan.listCalls / 10, 3))).latencies
        report.add(.latency(4, "scale.status", "host.status (counts the runs) at \(count) runs", status, unit: "ms"))
    }
}
