import Glibc
import JSON
import JSONRPC
import SkillhostProtocol

extension BenchSession {
    /// The prompt of every inference figure.
    static let prompt = "The capital of France is"

    /// Figure 3: `complete_text` through the daemon (the `complete` skill in a worker, then
    /// in process) against the same request sent straight to llama.cpp by skillbench's own
    /// HTTP client, with max_tokens 1 and 64 and temperature 0, the two interleaved so that
    /// drift in the server's speed hits both alike; the time to the first streamed token; and
    /// what the model server's after-work costs a run that follows an answer.
    func measureInference(_ daemon: DaemonUnderTest) throws(BenchError) {
        guard let modelURL = options.modelURL, let complete = options.complete else {
            let reason = options.modelUnavailable ?? "no model server given (--model-url)"
            for tokens in [1, 64] {
                report.add(BenchRow(figure: 3, key: "inference.daemon.\(tokens)", label: "complete_text, max_tokens \(tokens)",
                                    value: nil, unit: "ms", note: reason))
            }
            report.add(BenchRow(figure: 3, key: "inference.ttft.daemon", label: "time to first streamed token",
                                value: nil, unit: "ms", note: reason))
            report.add(BenchRow(figure: 3, key: "inference.daemon.1.inprocess", label: "complete_text in process, max_tokens 1",
                                value: nil, unit: "ms", note: reason))
            report.add(BenchRow(figure: 3, key: "inference.noop.after_answer",
                                label: "noop run right after a direct completion", value: nil, unit: "µs", note: reason))
            return
        }
        _ = try daemon.install(complete, isolation: "process")
        let http = try HTTPConnection(url: modelURL)
        let client = try LineClient(socketPath: daemon.socketPath)
        for (tokens, samples) in [(1, plan.shortCompletions), (64, plan.longCompletions)] {
            try measureCompletions(tokens: tokens, samples: samples, isolation: "worker", http: http, client: client)
        }
        try measureFirstToken(http: http, client: client)
        // The same skill again, installed to run in process (the daemon keeps its record).
        _ = try daemon.install(complete, isolation: "inprocess")
        try measureCompletions(tokens: 1, samples: plan.shortCompletions, isolation: "in process", http: http, client: client)
        try measureContention(http: http, client: client)
    }

    /// `complete_text` with `tokens` tokens through the daemon, the `complete` skill running
    /// as `isolation` says, against the same request straight to llama.cpp, interleaved.
    private func measureCompletions(tokens: Int, samples: Int, isolation: String, http: HTTPConnection,
                                    client: LineClient) throws(BenchError) {
        let input: JSONValue = ["prompt": .string(Self.prompt), "max_tokens": .int(Int64(tokens)), "temperature": 0]
        let body = input.serializedBytes()
        var direct: [UInt64] = []
        var throughDaemon: [UInt64] = []
        var directTokens = Set<Int64>()
        var daemonTokens = Set<Int64>()
        for round in -1..<samples {
            var started = MonotonicClock.now()
            let response = try http.post("/v1/completions", body: body)
            let elapsed = MonotonicClock.now() - started
            guard response.status == 200, let answer = try? JSONValue(parsing: response.body) else {
                throw BenchError("the model server answered \(response.status): \(String(decoding: response.body.prefix(600), as: UTF8.self))")
            }
            started = MonotonicClock.now()
            let result = try client.call(RunSkillRequest.self, ["skill": "complete", "input": input])
            let daemonElapsed = MonotonicClock.now() - started
            guard round >= 0 else { continue }
            direct.append(elapsed)
            throughDaemon.append(daemonElapsed)
            directTokens.insert(answer["usage"]?["completion_tokens"]?.int64Value ?? -1)
            daemonTokens.insert(result["output"]?["completion_tokens"]?.int64Value ?? -1)
        }
        let suffix = isolation == "worker" ? "\(tokens)" : "\(tokens).inprocess"
        report.add(.latency(3, "inference.direct.\(suffix)", "completion straight to llama.cpp, max_tokens \(tokens)",
                            LatencySummary(nanoseconds: direct), unit: "ms",
                            note: "completion tokens \(directTokens.sorted().map(String.init).joined(separator: ","))"))
        report.add(.latency(3, "inference.daemon.\(suffix)", "complete_text through skillhostd (\(isolation)), max_tokens \(tokens)",
                            LatencySummary(nanoseconds: throughDaemon), unit: "ms", baseline: "inference.direct.\(suffix)",
                            note: "completion tokens \(daemonTokens.sorted().map(String.init).joined(separator: ","))"))
    }

    /// Where a run that follows a model answer loses time: an in-process noop run right
    /// after another (the daemon's threads busy), after a pause as long as a one-token
    /// completion (its threads asleep), and right after a direct completion (asleep, and the
    /// model server finishing its own work on the same cores). A direct request pays for
    /// neither: its clock stops at the answer.
    private func measureContention(http: HTTPConnection, client: LineClient) throws(BenchError) {
        let body: JSONValue = ["prompt": .string(Self.prompt), "max_tokens": 1, "temperature": 0]
        let noop: JSONValue = ["skill": .string(Self.inProcessNoop), "input": .object([:])]
        var busy: [UInt64] = []
        var afterPause: [UInt64] = []
        var afterAnswer: [UInt64] = []
        let timedNoop = { () throws(BenchError) -> UInt64 in
            let started = MonotonicClock.now()
            _ = try client.call(RunSkillRequest.self, noop)
            return MonotonicClock.now() - started
        }
        for _ in 0..<max(plan.shortCompletions, 3) {
            let started = MonotonicClock.now()
            _ = try http.post("/v1/completions", body: body.serializedBytes())
            let completion = MonotonicClock.now() - started
            afterAnswer.append(try timedNoop())
            busy.append(try timedNoop())
            usleep(UInt32(completion / 1_000))
            afterPause.append(try timedNoop())
        }
        report.add(.latency(3, "inference.noop.busy", "noop run, in process, right after another",
                            LatencySummary(nanoseconds: busy)))
        report.add(.latency(3, "inference.noop.pause", "the same after a pause as long as a 1-token completion",
                            LatencySummary(nanoseconds: afterPause), baseline: "inference.noop.busy"))
        report.add(.latency(3, "inference.noop.after_answer", "the same right after a direct 1-token completion",
                            LatencySummary(nanoseconds: afterAnswer), baseline: "inference.noop.pause"))
    }

    /// Time to first token: the first `data:` event of a streamed completion (8 tokens, enough
    /// to see the first arrive before the last) straight from llama.cpp, against the first
    /// `run.output` notification of a streamed run. N/A when the daemon sends no `run.output`
    /// (it does not stream yet).
    private func measureFirstToken(http: HTTPConnection, client: LineClient) throws(BenchError) {
        let directBody: JSONValue = ["prompt": .string(Self.prompt), "max_tokens": 8, "temperature": 0, "stream": true]
        var direct: [UInt64] = []
        var throughDaemon: [UInt64] = []
        var unsupported: String?
        for round in -1..<plan.streams {
            guard let first = try http.postStreaming("/v1/completions", body: directBody.serializedBytes()) else {
                throw BenchError("the model server streamed no data: event for a streamed completion")
            }
            if round >= 0 { direct.append(first) }
            guard unsupported == nil else { continue }
            var firstOutput: UInt64?
            let sent = MonotonicClock.now()
            do {
                _ = try client.call(RunSkillRequest.self, ["skill": "complete", "input": directBody, "stream": true]) { method, _, received in
                    if method == RunOutputNotification.method, firstOutput == nil { firstOutput = received - sent }
                }
            } catch {
                unsupported = "skillhostd refused a streamed run: \(error)"
                continue
            }
            guard let firstOutput else {
                unsupported = "skillhostd sent no run.output notification: it does not stream runs yet"
                continue
            }
            if round >= 0 { throughDaemon.append(firstOutput) }
        }
        report.add(.latency(3, "inference.ttft.direct", "first streamed token straight from llama.cpp",
                            LatencySummary(nanoseconds: direct), unit: "ms"))
        report.add(.latency(3, "inference.ttft.daemon", "first run.output of a streamed run through skillhostd",
                            unsupported == nil ? LatencySummary(nanoseconds: throughDaemon) : nil, unit: "ms",
                            baseline: "inference.ttft.direct", note: unsupported))
    }
}
