import Foundation
import Synchronization
import Testing
@testable import InferenceDriver

/// What a ``FakeBackend`` does with one request: the faults the router must handle.
enum FakeReply: Sendable {
    /// Answers with this text.
    case answer(String)
    /// Fails with this error before producing anything.
    case fail(InferenceError)
    /// Streams these chunks to `onChunk`, then fails with `error`, or answers with the
    /// chunks joined when `error` is `nil`.
    case stream([String], then: InferenceError?)
    /// Holds the request open until the test calls ``FakeBackend/release(with:)``.
    case hold
}

/// One request a fake backend received.
struct FakeCall: Sendable {
    /// The fake's name.
    let backend: String
    /// The request as the router forwarded it.
    let request: CompletionRequest
    /// When it arrived.
    let at: ContinuousClock.Instant
}

/// The requests of every fake of one test, in arrival order.
final class CallLog: Sendable {
    /// `Mutex`: fakes record from whatever thread runs the router's attempt.
    private let entries = Mutex<[FakeCall]>([])

    /// Notes a request.
    func record(_ call: FakeCall) {
        entries.withLock { $0.append(call) }
    }

    /// Every request so far.
    var calls: [FakeCall] { entries.withLock { $0 } }

    /// The requests received by the fake named `backend`.
    func calls(to backend: String) -> [FakeCall] {
        calls.filter { $0.backend == backend }
    }
}

/// An ``InferenceBackend`` that follows a script, for fault injection: each request takes
/// the next scripted reply (or the fallback), and requests can be held open until released.
final class FakeBackend: InferenceBackend {
    /// The fake's name: also the host of its URL, through which the router's factory finds it.
    let name: String
    /// Where requests are recorded.
    let log: CallLog

    /// The script, held requests and health.
    private struct State {
        var script: [FakeReply]
        var fallback: FakeReply
        /// Requests held open, oldest first, by identifier.
        var held: [(id: Int, continuation: CheckedContinuation<FakeReply, Never>)] = []
        /// Releases that came before the request they release was held.
        var earlyReleases: [FakeReply] = []
        var lastHoldID = 0
        var health: Result<Void, InferenceError> = .success(())
        var probeHangs = false
        var probes = 0
    }

    /// `Mutex`: requests, probes and the test touch it from different tasks.
    private let state: Mutex<State>

    /// Creates a fake that answers with `script` in order, then with `fallback`.
    init(_ name: String, log: CallLog, script: [FakeReply] = [], fallback: FakeReply? = nil) {
        self.name = name
        self.log = log
        state = Mutex(State(script: script, fallback: fallback ?? .answer("from \(name)")))
    }

    /// The URL the fake poses under.
    var url: URL { URL(string: "http://\(name).invalid:8080")! }

    /// Sets what later requests get once the script is used up.
    func setFallback(_ reply: FakeReply) {
        state.withLock { $0.fallback = reply }
    }

    /// Sets the result of later health probes.
    func setHealth(_ health: Result<Void, InferenceError>) {
        state.withLock { $0.health = health }
    }

    /// Makes later health probes hang (for an hour, or until cancelled) before answering.
    func setProbeHangs(_ hangs: Bool) {
        state.withLock { $0.probeHangs = hangs }
    }

    /// How many health probes arrived.
    var probes: Int { state.withLock { $0.probes } }

    /// How many requests are held open now.
    var heldCount: Int { state.withLock { $0.held.count } }

    /// Ends the oldest held request with `reply` (or, if none is held yet, the next one to be).
    func release(with reply: FakeReply? = nil) {
        let reply = reply ?? .answer("from \(name)")
        let held: CheckedContinuation<FakeReply, Never>? = state.withLock { state in
            if state.held.isEmpty {
                state.earlyReleases.append(reply)
                return nil
            }
            return state.held.removeFirst().continuation
        }
        held?.resume(returning: reply)
    }

    func complete(
        _ request: CompletionRequest, onChunk: (@Sendable (String) -> Void)?
    ) async throws(InferenceError) -> Completion {
        log.record(FakeCall(backend: name, request: request, at: .now))
        var reply = state.withLock { state in
            state.script.isEmpty ? state.fallback : state.script.removeFirst()
        }
        if case .hold = reply { reply = await heldUntilReleased() }
        switch reply {
        case let .answer(text):
            return Completion(text: text, finishReason: "stop", model: name, usage: TokenUsage(promptTokens: 1, completionTokens: 1))
        case let .fail(error):
            throw error
        case let .stream(chunks, error):
            for chunk in chunks { onChunk?(chunk) }
            if let error { throw error }
            return Completion(text: chunks.joined(), finishReason: "stop", model: name, usage: TokenUsage(promptTokens: 1, completionTokens: chunks.count))
        case .hold:
            return Completion(text: "held twice", finishReason: nil, model: name, usage: TokenUsage(promptTokens: 0, completionTokens: 0))
        }
    }

    func checkHealth() async throws(InferenceError) {
        let (health, hangs) = state.withLock { state in
            state.probes += 1
            return (state.health, state.probeHangs)
        }
        if hangs { try? await Task.sleep(for: .seconds(3600)) }
        try health.get()
    }

    /// Waits for ``release(with:)``; a cancelled caller gets ``InferenceError/cancelled``,
    /// as a real client would.
    private func heldUntilReleased() async -> FakeReply {
        let id = state.withLock { state in
            state.lastHoldID += 1
            return state.lastHoldID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: FakeReply? = state.withLock { state in
                    if Task.isCancelled { return .fail(.cancelled) }
                    if !state.earlyReleases.isEmpty { return state.earlyReleases.removeFirst() }
                    state.held.append((id, continuation))
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let held = state.withLock { state in
                state.held.firstIndex { $0.id == id }.map { state.held.remove(at: $0).continuation }
            }
            held?.resume(returning: .fail(.cancelled))
        }
    }
}

/// Fakes serving one model behind a router, and the log of what they received.
struct RouterFixture {
    /// A policy with delays small enough for tests.
    static let fastPolicy = RoutingPolicy(
        maximumAttempts: 3, baseRetryDelay: .milliseconds(1), maximumRetryDelay: .milliseconds(5),
        maximumRetryAfter: .seconds(5), healthCheckInterval: .milliseconds(20))

    /// What every fake received.
    let log: CallLog
    /// The router over the fakes.
    let router: InferenceRouter
    /// The fakes by name.
    let backends: [String: FakeBackend]

    /// Attaches one endpoint per name, all serving the model `gemma` (the default model),
    /// each allowing `limit` concurrent requests and posing with the server model name
    /// `served-<name>`.
    init(
        _ names: [String], limit: Int = 1, policy: RoutingPolicy = RouterFixture.fastPolicy,
        scripts: [String: [FakeReply]] = [:]
    ) throws {
        let log = CallLog()
        self.log = log
        let backends = Dictionary(uniqueKeysWithValues: names.map {
            ($0, FakeBackend($0, log: log, script: scripts[$0] ?? []))
        })
        let unknown = FakeBackend("unknown", log: log, fallback: .fail(.connectionFailed(endpoint: "?", reason: "no such fake")))
        router = InferenceRouter(defaultModel: "gemma", policy: policy) { endpoint in
            endpoint.baseURL.host.flatMap { backends[String($0.prefix { $0 != "." })] } ?? unknown
        }
        self.backends = backends
        for name in names {
            try router.attach(RoutedEndpoint(
                name: name, model: "gemma",
                endpoint: InferenceEndpoint(baseURL: backends[name]!.url, defaultModel: "served-\(name)"),
                maximumConcurrentRequests: limit))
        }
    }

    /// The fake named `name`.
    subscript(_ name: String) -> FakeBackend { backends[name]! }

    /// The status of the endpoint named `name`.
    func status(of name: String) -> EndpointStatus? {
        router.status().first { $0.name == name }
    }
}

/// A prompt request for the default model.
func prompt(_ text: String, model: String? = nil) -> CompletionRequest {
    CompletionRequest(prompt: text, model: model, maxTokens: 4)
}

/// Runs `request` through `router` and returns its completion or error.
func outcome(
    of request: CompletionRequest, on router: InferenceRouter, onChunk: (@Sendable (String) -> Void)? = nil
) async -> Result<Completion, InferenceError> {
    do throws(InferenceError) {
        return .success(try await router.complete(request, onChunk: onChunk))
    } catch {
        return .failure(error)
    }
}

/// Starts `request` in a task of its own.
func start(_ request: CompletionRequest, on router: InferenceRouter) -> Task<Result<Completion, InferenceError>, Never> {
    Task { await outcome(of: request, on: router) }
}

/// Collects the chunks a streamed request delivers.
final class ChunkCollector: Sendable {
    /// `Mutex`: chunks arrive on the backend's thread.
    private let chunks = Mutex<[String]>([])

    /// The callback to pass as `onChunk`.
    var onChunk: @Sendable (String) -> Void {
        { chunk in self.chunks.withLock { $0.append(chunk) } }
    }

    /// The chunks received so far.
    var received: [String] { chunks.withLock { $0 } }
}
