import Glibc

extension BenchSession {
    /// Figure 2: noop runs per second with 1, 8 and 64 concurrent clients (each its own
    /// connection, a closed loop), every run recorded by the daemon; the same against the
    /// unrecorded host, the daemon's serving path without the registry; and the worker noop
    /// through the daemon.
    func measureThroughput(_ daemon: DaemonUnderTest) throws(BenchError) {
        try measureRegistryAlone()
        let host = try startUnrecordedHost()
        let inProcess = Self.runRequest(Self.inProcessNoop)
        let targets: [(key: String, label: String, socket: String, pid: pid_t?, request: [UInt8], baseline: Bool)] = [
            ("unrecorded.inprocess", "in-process noop, not recorded (skillbench host)", host.socketPath, host.process.pid,
             inProcess, false),
            ("recorded.inprocess", "in-process noop, recorded (skillhostd)", daemon.socketPath, daemon.pid, inProcess, true),
            ("recorded.worker", "worker noop, recorded (skillhostd)", daemon.socketPath, daemon.pid,
             Self.runRequest(Self.workerNoop), false),
        ]
        for target in targets {
            // Let connections, threads and (for the worker) the pool settle before timing.
            _ = try LoadGenerator.run(socketPath: target.socket, request: target.request, clients: 8,
                                      stop: .seconds(min(1, plan.throughputSeconds / 2)))
            for clients in plan.clientCounts {
                let (result, cpu) = try measuringCPU(of: target.pid) { () throws(BenchError) in
                    try LoadGenerator.run(socketPath: target.socket, request: target.request, clients: clients,
                                          stop: .seconds(plan.throughputSeconds))
                }
                var row = BenchRow(figure: 2, key: "throughput.\(target.key).\(clients)",
                                   label: "\(target.label), \(clients) client\(clients == 1 ? "" : "s")",
                                   value: result.rate, unit: "runs/s",
                                   p50: result.latencies.map { $0.p50 / 1e3 }, p99: result.latencies.map { $0.p99 / 1e3 },
                                   serverCPU: cpu)
                if target.baseline { row.baseline = "throughput.unrecorded.inprocess.\(clients)" }
                report.add(row)
            }
        }
    }
}
