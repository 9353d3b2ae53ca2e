import InferenceDriver
import SkillRuntime
import TestSupport
import Testing

/// A failed inference call traps its run, which kills the run's worker; the worker's death
/// must never be what the run records. The runs go through the runner itself, many at once,
/// with the real HTTP client against a port that refuses connections, so the trap and the
/// worker's end race as they do in the daemon.
@Suite("Inference failures against a refused port", .serialized)
struct InferenceFailureRaceTests {
    /// Runs per isolation.
    static let runs = 1000
    /// Runs in flight at once.
    static let concurrency = 16

    @Test("1,000 complete_text calls against a refused port are all recorded inference_failed",
          arguments: Isolation.allCases)
    func everyRunIsAnInferenceFailure(isolation: Isolation) async throws {
        let port = try RefusingPort()
        let inference = OpenAICompatibleClient(endpoint: InferenceEndpoint(baseURL: port.url))
        let skill = try BuildProducts.plugin(named: "complete")
        let invocation = Invocation(input: Array(#"{"prompt":"hi"}"#.utf8), model: "race", timeout: .seconds(30))
        let kinds = try await isolation.withRunner(inference: inference, configure: {
            $0.maximumWorkersPerSkill = Self.concurrency
        }) { runner in
            await withTaskGroup(of: String.self) { group in
                func start() {
                    group.addTask {
                        let report = await runner.run(skillPath: skill, sha256: "complete", invocation: invocation)
                        switch report.outcome {
                        case .success: return "success"
                        case let .failure(failure): return failure.kind == .inferenceFailed ? failure.kind.rawValue : "\(failure)"
                        }
                    }
                }
                for _ in 0..<Self.concurrency { start() }
                var kinds: [String: Int] = [:]
                var started = Self.concurrency
                for await kind in group {
                    kinds[kind, default: 0] += 1
                    if started < Self.runs {
                        start()
                        started += 1
                    }
                }
                return kinds
            }
        }
        #expect(kinds.values.reduce(0, +) == Self.runs)
        #expect(kinds == ["inference_failed": Self.runs], "outcomes other than inference_failed: \(kinds)")
    }
}
