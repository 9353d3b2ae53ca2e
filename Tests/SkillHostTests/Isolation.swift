import InferenceDriver
import ProcessIsolation
import SkillRuntime
import TestSupport
import Testing

/// The two ways a skill runs, for tests that must hold in both.
enum Isolation: String, CaseIterable, CustomTestStringConvertible {
    case inProcess = "in process"
    case process = "in a worker"

    var testDescription: String { rawValue }

    /// A runner of this isolation over `inference`; `body` gets it, and a worker runner is
    /// shut down afterwards. Workers are started on demand (no pool): `configure` may change
    /// that and the other settings.
    func withRunner<Value>(
        inference: any InferenceService, limits: InvocationLimits = InvocationLimits(),
        configure: (inout ProcessIsolationSettings) -> Void = { _ in },
        _ body: (any SkillRunner) async throws -> Value
    ) async throws -> Value {
        switch self {
        case .inProcess:
            return try await body(InProcessRunner(inference: inference, limits: limits))
        case .process:
            var settings = ProcessIsolationSettings()
            settings.workerExecutable = try BuildProducts.skillhostd()
            settings.poolSize = 0
            configure(&settings)
            let runner = ProcessRunner(inference: inference, limits: limits, settings: settings)
            defer { runner.shutDown() }
            return try await body(runner)
        }
    }
}
