import Foundation

/// `skillbench load --socket PATH --skill NAME [--clients N] [--seconds S]`: only the load
/// of the throughput figure, against a daemon started by hand, so that a profiler can be
/// attached to it for as long as needed (docs/BENCHMARKS.md, "Profiling").
enum LoadCommand {
    /// Runs the load and prints the rate and latencies; exits 1 on failure.
    static func main(arguments: [String]) -> Never {
        var values: [String: String] = [:]
        var remaining = arguments[...]
        while let flag = remaining.popFirst(), flag.hasPrefix("--"), let value = remaining.popFirst() {
            values[String(flag.dropFirst(2))] = value
        }
        guard let socket = values["socket"], let skill = values["skill"],
              let clients = Int(values["clients"] ?? "8"), clients > 0,
              let seconds = Double(values["seconds"] ?? "10"), seconds > 0
        else {
            FileHandle.standardError.write(Data("usage: skillbench load --socket PATH --skill NAME [--clients N] [--seconds S]\n".utf8))
            exit(2)
        }
        do {
            let result = try LoadGenerator.run(socketPath: socket, request: BenchSession.runRequest(skill),
                                               clients: clients, stop: .seconds(seconds))
            let p50 = result.latencies.map { $0.p50 / 1e3 } ?? 0
            let p99 = result.latencies.map { $0.p99 / 1e3 } ?? 0
            print(String(format: "%d runs in %.1f s: %.0f runs/s, p50 %.1f µs, p99 %.1f µs",
                         result.completed, result.seconds, result.rate, p50, p99))
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("skillbench load: \(error)\n".utf8))
            exit(1)
        }
    }
}
