import Foundation
import Glibc
import JSONRPC
import SkillhostProtocol

/// One run of skillbench: starts what each figure needs in the work directory, measures,
/// and collects the rows of the report.
final class BenchSession {
    /// The command line.
    let options: BenchOptions
    /// The counts of this run (full or quick).
    let plan: BenchPlan
    /// The results so far.
    var report = BenchReport()
    /// The daemon of figures 1, 2, 3 and 5 and of the respawn figure (the RSS and scale figures
    /// get fresh ones).
    private(set) var mainDaemon: DaemonUnderTest?
    /// `skillbench host`, once started (see ``startUnrecordedHost()``).
    var unrecordedHost: ChildProcess?
    /// Children to stop at the end whatever happens.
    private var children: [ChildProcess] = []

    /// The names the noop skills are built under (see bench/noop.c).
    static let inProcessNoop = "noop-inprocess"
    static let workerNoop = "noop-worker"

    init(options: BenchOptions) {
        self.options = options
        plan = BenchPlan(quick: options.quick)
    }

    /// Measures every figure asked for, in an order that keeps latency figures away from the
    /// load of the others.
    func run() throws(BenchError) {
        report.machine = MachineFacts.collect(extra: options.machine)
        defer { stopEverything() }
        let daemon = try startDaemon(named: "main", extraArguments: ["--http-listen", "127.0.0.1:0"])
        mainDaemon = daemon
        if options.figures.contains(1) { try measureCallOverhead(daemon) }
        if options.figures.contains(2) { try measureThroughput(daemon) }
        if options.figures.contains(3) { try measureInference(daemon) }
        if options.figures.contains(5) { try measureBatches(daemon) }
        if options.figures.contains(4) {
            try measureRespawn(daemon)
            try measureMemory()
            try measureScale()
        }
        report.machine["load_average_end"] = .string(MachineFacts.loadAverage())
        judgeTargets()
    }

    /// A fresh daemon in `<work>/<name>` with both noop skills installed.
    func startDaemon(named name: String, extraArguments: [String] = []) throws(BenchError) -> DaemonUnderTest {
        let daemon = try DaemonUnderTest(
            executable: options.daemon, directory: options.workDirectory + "/" + name,
            inferenceURL: options.modelURL?.absoluteString ?? "http://127.0.0.1:9", extraArguments: options.daemonArguments + extraArguments)
        try daemon.start()
        _ = try daemon.install(options.noopInProcess, isolation: "inprocess")
        _ = try daemon.install(options.noopWorker, isolation: "process")
        return daemon
    }

    /// Starts a helper program whose output goes to `<work>/<logName>`; it is stopped at the end.
    func startChild(_ executable: String, _ arguments: [String], logName: String) throws(BenchError) -> ChildProcess {
        let child = try ChildProcess(executable: executable, arguments: arguments,
                                     logPath: options.workDirectory + "/" + logName)
        children.append(child)
        return child
    }

    /// Waits until something accepts connections on `socketPath`.
    func waitForSocket(_ socketPath: String, of child: ChildProcess) throws(BenchError) {
        let started = MonotonicClock.now()
        while (try? LineClient(socketPath: socketPath)) == nil {
            guard child.isRunning else { throw BenchError("\(child.commandLine) exited: \(child.logTail())") }
            guard MonotonicClock.seconds(since: started) < 30 else {
                throw BenchError("\(child.commandLine) did not listen on \(socketPath) within 30 s")
            }
            usleep(10_000)
        }
    }

    /// The request line that runs `skill` with input `{}`.
    static func runRequest(_ skill: String) -> [UInt8] {
        RPCRequestLine.make(method: RunSkillRequest.method, params: ["skill": .string(skill), "input": .object([:])])
    }

    /// `calls` sequential round trips of `request` on one connection, after a warm-up; with
    /// the processor time `serverPID` (and its children) spent per call, in µs.
    func sequential(_ socketPath: String, _ request: [UInt8], serverPID: pid_t?, calls: Int? = nil,
                    expectSuccess: Bool = true) throws(BenchError) -> (latency: LatencySummary?, serverCPU: Double?) {
        _ = try LoadGenerator.run(socketPath: socketPath, request: request, clients: 1,
                                  stop: .calls(plan.warmUpCalls), expectSuccess: expectSuccess)
        let (result, cpu) = try measuringCPU(of: serverPID) { () throws(BenchError) in
            try LoadGenerator.run(socketPath: socketPath, request: request, clients: 1,
                                  stop: .calls(calls ?? plan.sequentialCalls), expectSuccess: expectSuccess)
        }
        return (result.latencies, cpu)
    }

    /// Runs `load` and returns its result with the processor time `pid` (and its children)
    /// spent per completed call, in µs; nil without a pid or when it cannot be read.
    func measuringCPU(of pid: pid_t?, _ load: () throws(BenchError) -> LoadResult)
        throws(BenchError) -> (LoadResult, Double?)
    {
        let before = pid.flatMap { ProcFiles.processorSeconds(of: $0) }
        let result = try load()
        guard let pid, let before, let after = ProcFiles.processorSeconds(of: pid), result.completed > 0 else {
            return (result, nil)
        }
        return (result, (after - before) * 1e6 / Double(result.completed))
    }

    private func stopEverything() {
        mainDaemon?.stop()
        mainDaemon = nil
        children.forEach { $0.stop() }
        children = []
    }

    /// Sets the targets on the rows they concern.
    private func judgeTargets() {
        report.judge("call.inprocess", target: "p50 ≤ 3x floor") { row in row.ratio.map { $0 <= 3 } }
        report.judge("call.worker", target: "p50 ≤ 6x floor") { row in row.ratio.map { $0 <= 6 } }
        report.judge("throughput.recorded.inprocess.8", target: "≥ 10000 runs/s") { row in row.value.map { $0 >= 10_000 } }
        for suffix in ["1", "64", "1.inprocess"] {
            report.judge("inference.daemon.\(suffix)", target: "overhead ≤ max(1 ms, 2%)") { row in
                guard let ratio = row.ratio, let value = row.value else { return nil }
                let direct = value / ratio
                return value - direct <= max(1, 0.02 * direct)
            }
        }
        report.judge("rss.after_runs", target: "growth < 10%") { row in row.ratio.map { $0 < 1.10 } }
        report.judge("scale.list.default", target: "< 10 ms") { row in row.p50.map { $0 < 10 } }
    }
}
