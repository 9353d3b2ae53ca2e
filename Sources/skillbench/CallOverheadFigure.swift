import Foundation
import SkillhostProtocol

extension BenchSession {
    /// Figure 1: a noop run through JSON-RPC on the Unix socket, in process and in a warm
    /// worker, against the floor: the same request line echoed by a C server, timed by the
    /// same client code. Also the unrecorded host (the daemon's serving path without the
    /// registry) and a C client against the floor, to split the cost.
    func measureCallOverhead(_ daemon: DaemonUnderTest) throws(BenchError) {
        let request = Self.runRequest(Self.inProcessNoop)
        let floorSocket = options.workDirectory + "/floor.sock"
        let floor = try startChild(options.floor, ["serve", floorSocket], logName: "floor.log")
        try waitForSocket(floorSocket, of: floor)
        let floorCall = try sequential(floorSocket, request, serverPID: floor.pid, expectSuccess: false)
        report.add(.latency(1, "call.floor", "floor: same request line echoed by a C server (UDS round trip)",
                            floorCall.latency, serverCPU: floorCall.serverCPU, note: "\(request.count)-byte line"))

        let cClient = try startChild(options.floor, ["rtt", floorSocket, String(plan.sequentialCalls)], logName: "floor-c-client.log")
        try cClient.waitForExit(timeout: 120)
        let words = cClient.logTail(lines: 1).split(separator: " ")
        if words.count == 3, words[0] == "c_client_rtt_ns", let p50 = Double(words[1]), let p99 = Double(words[2]) {
            report.add(BenchRow(figure: 1, key: "call.floor_c_client", label: "floor with a C client instead of skillbench's",
                                value: p50 / 1e3, unit: "µs", p50: p50 / 1e3, p99: p99 / 1e3))
        } else {
            throw BenchError("the C floor client printed \(cClient.logTail(lines: 3)), not c_client_rtt_ns P50 P99")
        }
        floor.stop()

        let inProcess = try sequential(daemon.socketPath, request, serverPID: daemon.pid)
        report.add(.latency(1, "call.inprocess", "noop run, in process, through skillhostd",
                            inProcess.latency, serverCPU: inProcess.serverCPU, baseline: "call.floor"))
        let worker = try sequential(daemon.socketPath, Self.runRequest(Self.workerNoop), serverPID: daemon.pid)
        report.add(.latency(1, "call.worker", "noop run, warm worker, through skillhostd",
                            worker.latency, serverCPU: worker.serverCPU, baseline: "call.floor"))

        let http = try measureHTTPCall(daemon)
        report.add(.latency(1, "call.http", "noop run, in process, through skillhostd's HTTP API (kept alive)",
                            http.latency, serverCPU: http.serverCPU, baseline: "call.inprocess",
                            note: "POST /v1/skills/NAME/run with a run token; ratio to the socket"))

        let host = try startUnrecordedHost()
        let unrecorded = try sequential(host.socketPath, request, serverPID: host.process.pid)
        report.add(.latency(1, "call.unrecorded", "noop run, in process, same server and runner without registry (skillbench host)",
                            unrecorded.latency, serverCPU: unrecorded.serverCPU, baseline: "call.floor"))
    }

    /// Sequential noop runs through `daemon`'s HTTP API on one kept-alive connection, with a
    /// run token made for them, after a warm-up; with the daemon's processor time per call.
    private func measureHTTPCall(_ daemon: DaemonUnderTest) throws(BenchError) -> (latency: LatencySummary?, serverCPU: Double?) {
        let address = try daemon.httpAddress()
        let created = try LineClient(socketPath: daemon.socketPath)
            .call(CreateTokenRequest.self, ["name": "skillbench", "scope": "run"])
        guard let token = created["token"]?.stringValue else {
            throw BenchError("tokens.create answered without a token: \(created.serialized())")
        }
        let client = try HTTPConnection(url: URL(string: "http://\(address)")!, bearerToken: token)
        let path = "/v1/skills/\(Self.inProcessNoop)/run"
        let body = Array("{}".utf8)
        func call() throws(BenchError) {
            let response = try client.post(path, body: body)
            guard response.status == 200 else {
                throw BenchError("POST \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
            }
        }
        for _ in 0..<plan.warmUpCalls { try call() }
        let before = daemon.pid.flatMap { ProcFiles.processorSeconds(of: $0) }
        var samples: [UInt64] = []
        samples.reserveCapacity(plan.sequentialCalls)
        for _ in 0..<plan.sequentialCalls {
            let started = MonotonicClock.now()
            try call()
            samples.append(MonotonicClock.now() - started)
        }
        let after = daemon.pid.flatMap { ProcFiles.processorSeconds(of: $0) }
        let cpu = before.flatMap { before in after.map { ($0 - before) * 1e6 / Double(samples.count) } }
        return (LatencySummary(nanoseconds: samples), cpu)
    }

    /// Starts `skillbench host` (this executable) serving the in-process noop without a
    /// registry, once; later calls return the same one.
    func startUnrecordedHost() throws(BenchError) -> (process: ChildProcess, socketPath: String) {
        let socketPath = options.workDirectory + "/unrecorded.sock"
        if let running = unrecordedHost, running.isRunning { return (running, socketPath) }
        let host = try startChild("/proc/self/exe", ["host", "--socket", socketPath, "--skill", options.noopInProcess,
                                                    "--name", Self.inProcessNoop], logName: "unrecorded-host.log")
        try waitForSocket(socketPath, of: host)
        unrecordedHost = host
        return (host, socketPath)
    }
}
