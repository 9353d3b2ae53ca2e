import Synchronization

/// An ``InferenceService`` over many endpoints: requests name a logical model, and the
/// router sends each to one of that model's endpoints, retrying elsewhere when one fails.
///
/// ## Routing
/// A request goes to the model's healthy endpoint with the fewest requests in flight
/// (equally loaded endpoints take turns). Each endpoint takes at most
/// ``RoutedEndpoint/maximumConcurrentRequests`` at once; when every healthy endpoint is
/// full, requests wait in arrival order for a slot. When no endpoint of the model is
/// healthy, the one that failed longest ago is tried anyway, so a recovered server is found
/// without waiting for the next health probe. The backend receives the request with its
/// model cleared: each endpoint sends its own served model name
/// (``InferenceEndpoint/defaultModel``).
///
/// ## Failures and retries
/// An attempt that fails with a retryable error (``InferenceError/isRetryable``: a
/// connection error, HTTP 429 or a 5xx) before any chunk reached the caller is retried,
/// after a backoff with full jitter (at least the server's `Retry-After` for 429), on an
/// endpoint this request has not tried yet when one is free, up to
/// ``RoutingPolicy/maximumAttempts`` attempts in all. Connection errors and 5xx also mark
/// the endpoint unhealthy; 429 only counts as a failure. Nothing is retried once part of
/// a streamed answer was delivered, and nothing that is not retryable.
///
/// ## Health
/// After ``startHealthChecks()``, every endpoint is probed with
/// ``InferenceBackend/checkHealth()`` every ``RoutingPolicy/healthCheckInterval``: a failed
/// probe marks it unhealthy, a successful probe (or request) healthy again.
///
/// ## Concurrency
/// The state lives in a `Mutex` rather than an actor: ``status()``, ``models()`` and
/// ``resolveModel(_:)`` are synchronous (the daemon answers status and validates requests
/// without suspending), and every critical section is a few lines of bookkeeping that
/// never suspends. Requests waiting for a slot are continuations kept in that state and
/// resumed after the lock is released.
public final class InferenceRouter: InferenceService {
    /// The model used by requests that name none, if any.
    public var defaultModel: String? {
        settings.withLock { $0.defaultModel }
    }

    /// How attempts are retried and endpoints probed, with every value in range.
    public var policy: RoutingPolicy {
        settings.withLock { $0.policy }
    }

    /// The default model and the policy, which ``reconfigure(_:)`` replaces; apart from
    /// `state`, since every attempt reads the policy.
    private let settings: Mutex<(defaultModel: String?, policy: RoutingPolicy)>
    /// Makes the backend of each attached endpoint.
    private let makeBackend: @Sendable (InferenceEndpoint) -> any InferenceBackend
    /// Told of every attempt as it ends, on the attempt's task.
    private let observeAttempt: (@Sendable (InferenceAttempt) -> Void)?
    /// Endpoints, waiters and counters; see the type's documentation for why a `Mutex`.
    private let state = Mutex(RouterState())
    /// Whether the health checks run; separate from `state` so that probing bookkeeping
    /// never contends with routing.
    private let healthChecks = Mutex(HealthCheckLifecycle.notStarted)

    /// Where background health checking stands.
    private enum HealthCheckLifecycle {
        /// ``startHealthChecks()`` has not been called.
        case notStarted
        /// Probing every interval.
        case running(Task<Void, Never>)
        /// ``shutdown()`` was called; probing never starts again.
        case shutDown
    }

    /// Creates a router with no endpoints.
    ///
    /// - Parameters:
    ///   - defaultModel: the logical model for requests that name none; `nil` makes such
    ///     requests fail with a message saying to name a model.
    ///   - policy: retries and health checks; out-of-range values are brought into range
    ///     as ``RoutingPolicy`` describes.
    ///   - observeAttempt: told of every attempt sent to an endpoint as it ends (retries
    ///     included), on the attempt's task: it must be quick, such as counting it.
    ///   - makeBackend: makes the backend for an endpoint when it is attached, typically
    ///     `{ OpenAICompatibleClient(endpoint: $0) }`.
    public init(
        defaultModel: String?,
        policy: RoutingPolicy = RoutingPolicy(),
        observeAttempt: (@Sendable (InferenceAttempt) -> Void)? = nil,
        makeBackend: @escaping @Sendable (InferenceEndpoint) -> any InferenceBackend
    ) {
        settings = Mutex((defaultModel, policy.normalized))
        self.observeAttempt = observeAttempt
        self.makeBackend = makeBackend
    }

    deinit {
        if case let .running(task) = healthChecks.withLock({ $0 }) { task.cancel() }
    }

    // MARK: Endpoints

    /// Adds an endpoint; requests for its model may go to it at once. It counts as healthy
    /// until an attempt or a probe says otherwise; `probed`, the result of ``probe(_:)``
    /// made just before, counts as its first health check.
    ///
    /// - Throws: ``RoutingError/invalid(_:)`` for an empty or spaced name, an empty model or
    ///   a concurrency limit below 1; ``RoutingError/duplicateName(_:)`` when an endpoint
    ///   with that name is attached.
    public func attach(_ endpoint: RoutedEndpoint, probed: Result<Void, InferenceError>? = nil) throws(RoutingError) {
        try endpoint.validate()
        let backend = makeBackend(endpoint.endpoint)
        let grants = try state.withLock { state throws(RoutingError) in
            try state.attach(endpoint, backend: backend, probed: probed)
        }
        grants.forEach { $0.resume() }
    }

    /// Probes a server as the health checks probe attached endpoints (`GET /v1/models` for
    /// an OpenAI-compatible server), without attaching it: how a caller finds out, before
    /// attaching it, that a server does not answer.
    public func probe(_ endpoint: InferenceEndpoint) async -> Result<Void, InferenceError> {
        let limit = max(policy.healthCheckInterval, endpoint.connectTimeout)
        return await HealthProbe.run(makeBackend(endpoint), within: limit,
                                     endpoint: InferenceEndpoint.displayString(of: endpoint.baseURL))
    }

    /// Removes an endpoint from routing at once and returns it. Requests in flight on it
    /// finish there; requests waiting for a slot on a model left with no endpoint fail
    /// with ``InferenceError/noEndpoints(model:)``.
    ///
    /// - Throws: ``RoutingError/unknownEndpoint(name:known:)`` when none has that name.
    @discardableResult
    public func detach(name: String) throws(RoutingError) -> RoutedEndpoint {
        let (detached, grants) = try state.withLock { state throws(RoutingError) in
            try state.detach(name: name)
        }
        grants.forEach { $0.resume() }
        return detached
    }

    /// Applies `change` in one step: no request sees some of its endpoints detached and
    /// the others not yet attached, so a model whose endpoint is replaced never has none,
    /// and its waiters keep waiting. Endpoints it detaches that are not attached (detached
    /// meanwhile) are skipped; requests in flight on a detached endpoint finish there.
    ///
    /// - Throws: ``RoutingError/invalid(_:)`` for an endpoint to attach that is unusable;
    ///   ``RoutingError/duplicateName(_:)`` when one to attach has the name of an endpoint
    ///   that stays attached, or of another one to attach. Nothing changes then.
    public func reconfigure(_ change: RouterChange) throws(RoutingError) {
        for endpoint in change.attaching {
            try endpoint.validate()
        }
        let attaching = change.attaching.map { ($0, makeBackend($0.endpoint)) }
        let grants = try state.withLock { state throws(RoutingError) in
            try state.replace(detaching: change.detaching, attaching: attaching)
        }
        settings.withLock { $0 = (change.defaultModel, change.policy.normalized) }
        grants.forEach { $0.resume() }
    }

    /// The logical models that have at least one endpoint, sorted.
    public func models() -> [String] {
        state.withLock { $0.models }
    }

    /// The logical model a request naming `name` goes to: `name` itself, or
    /// ``defaultModel`` when `name` is `nil`.
    ///
    /// - Throws: ``InferenceError/unknownModel(name:known:)`` listing the known models when
    ///   no endpoint ever served it; ``InferenceError/noEndpoints(model:)`` when all its
    ///   endpoints were detached; ``InferenceError/invalidRequest(reason:)`` when `name` is
    ///   `nil` and there is no default model.
    public func resolveModel(_ name: String?) throws(InferenceError) -> String {
        let defaultModel = defaultModel
        return try state.withLock { state throws(InferenceError) in
            try state.resolve(name, defaultModel: defaultModel)
        }
    }

    /// Every endpoint's configuration, health and load, sorted by model, then name. Holds
    /// no API key.
    public func status() -> [EndpointStatus] {
        state.withLock { $0.status }
    }

    /// How many requests are waiting for a free slot.
    var waitingRequestCount: Int {
        state.withLock { $0.waiterCount }
    }

    // MARK: Health checks

    /// Starts probing every endpoint now and then every ``RoutingPolicy/healthCheckInterval``,
    /// in the background, all endpoints in parallel. A probe that takes longer than the
    /// interval (or the endpoint's connect timeout, if longer) counts as failed. Does
    /// nothing when the checks already run or the router was shut down.
    ///
    /// Without health checks, an endpoint marked unhealthy by a failed request gets
    /// requests again only when none of its model's endpoints is healthy (or after it is
    /// detached and attached again).
    public func startHealthChecks() {
        healthChecks.withLock { lifecycle in
            guard case .notStarted = lifecycle else { return }
            lifecycle = .running(Task { [weak self] in
                while let interval = await self?.probeAllEndpoints() {
                    do {
                        try await Task.sleep(for: interval)
                    } catch {
                        return
                    }
                }
            })
        }
    }

    /// Stops the health checks, abandoning probes under way. Requests are unaffected.
    /// Calling it again does nothing.
    public func shutdown() {
        let running: Task<Void, Never>? = healthChecks.withLock { lifecycle in
            defer { lifecycle = .shutDown }
            if case let .running(task) = lifecycle { return task }
            return nil
        }
        running?.cancel()
    }

    /// Probes every attached endpoint once, in parallel, records the results, and returns
    /// the interval to wait before the next round.
    private func probeAllEndpoints() async -> Duration {
        let targets = state.withLock { $0.probeTargets }
        let interval = policy.healthCheckInterval
        await withTaskGroup(of: Void.self) { group in
            for target in targets {
                group.addTask {
                    let limit = max(interval, target.connectTimeout)
                    let result = await HealthProbe.run(target.backend, within: limit, endpoint: target.displayURL)
                    let grants = self.state.withLock { state in
                        state.recordProbe(result, of: target.id, at: .now)
                    }
                    grants.forEach { $0.resume() }
                }
            }
        }
        return interval
    }

    // MARK: Requests

    /// Sends `request` to an endpoint of its model (``CompletionRequest/model``, or
    /// ``defaultModel``), retrying as the type's documentation describes.
    ///
    /// - Throws: ``InferenceError/invalidRequest(reason:)``, ``InferenceError/unknownModel(name:known:)``
    ///   or ``InferenceError/noEndpoints(model:)`` before anything is sent; a
    ///   non-retryable error of the backend as it is; ``InferenceError/streamInterrupted(endpoint:deliveredChunks:reason:)``
    ///   for any failure after a chunk was delivered; the retryable error itself when only
    ///   one attempt is allowed, or when a 429's `Retry-After` exceeds
    ///   ``RoutingPolicy/maximumRetryAfter``; ``InferenceError/retriesExhausted(model:attempts:lastError:)``
    ///   when every attempt failed; ``InferenceError/cancelled`` when the calling task is
    ///   cancelled, while waiting for a slot or a retry included.
    public func complete(
        _ request: CompletionRequest, onChunk: (@Sendable (String) -> Void)?
    ) async throws(InferenceError) -> Completion {
        try request.validate()
        let model = try resolveModel(request.model)
        var forwarded = request
        forwarded.model = nil
        let delivered = DeliveredChunks()
        let relay = onChunk.map { onChunk in
            { @Sendable (chunk: String) in
                delivered.count()
                onChunk(chunk)
            }
        }
        var alreadyTried: Set<UInt64> = []
        var attempt = 0
        let policy = self.policy
        while true {
            attempt += 1
            let lease = try await acquireSlot(for: model, avoiding: alreadyTried)
            alreadyTried.insert(lease.endpointID)
            let failure: InferenceError
            switch await send(forwarded, under: lease, onChunk: relay) {
            case let .success(completion):
                return completion
            case let .failure(error):
                failure = error
            }
            let deliveredChunks = delivered.total
            if deliveredChunks > 0 {
                throw failure.interruptingStream(at: lease.displayURL, after: deliveredChunks)
            }
            guard failure.isRetryable else { throw failure }
            guard attempt < policy.maximumAttempts else {
                throw attempt == 1 ? failure : .retriesExhausted(model: model, attempts: attempt, lastError: failure)
            }
            guard let delay = policy.delay(beforeRetry: attempt, after: failure, jitter: .random(in: 0...1)) else {
                throw failure
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw .cancelled
            }
        }
    }

    /// Waits for a slot on an endpoint of `model`, in arrival order behind other waiters.
    ///
    /// - Throws: ``InferenceError/cancelled`` when the calling task is cancelled before a
    ///   slot is free; ``InferenceError/noEndpoints(model:)`` when the model has (or is left
    ///   with) no endpoint.
    private func acquireSlot(for model: String, avoiding alreadyTried: Set<UInt64>) async throws(InferenceError) -> EndpointLease {
        let waiterID = state.withLock { $0.makeIdentifier() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<EndpointLease, InferenceError>, Never>) in
                // Under the lock, so that a cancellation either is seen here or finds the
                // waiter queued: the flag is set before the handler runs, and the handler
                // takes the same lock.
                let immediate: Result<EndpointLease, InferenceError>? = state.withLock { state in
                    if Task.isCancelled { return .failure(.cancelled) }
                    switch state.lease(for: model, avoiding: alreadyTried) {
                    case let .leased(lease):
                        return .success(lease)
                    case .noEndpoints:
                        return .failure(.noEndpoints(model: model))
                    case .busy:
                        state.enqueue(SlotWaiter(id: waiterID, model: model, alreadyTried: alreadyTried,
                                                 continuation: continuation))
                        return nil
                    }
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.removeWaiter(id: waiterID) }
            waiter?.continuation.resume(returning: .failure(.cancelled))
        }
        return try result.get()
    }

    /// Makes one attempt under `lease` and gives the slot back with its outcome.
    private func send(
        _ request: CompletionRequest, under lease: EndpointLease, onChunk: (@Sendable (String) -> Void)?
    ) async -> Result<Completion, InferenceError> {
        let result: Result<Completion, InferenceError>
        let outcome: AttemptOutcome
        let started = ContinuousClock.now
        if Task.isCancelled {
            // A slot granted just as the caller was cancelled: nothing is sent.
            result = .failure(.cancelled)
            outcome = .abandoned
        } else {
            do throws(InferenceError) {
                let completion = try await lease.backend.complete(request, onChunk: onChunk)
                result = .success(completion)
                outcome = .succeeded(latency: .now - started)
            } catch {
                result = .failure(error)
                outcome = .failed(error)
            }
        }
        let ended = ContinuousClock.now
        let grants = state.withLock { $0.release(lease, outcome: outcome, at: ended) }
        grants.forEach { $0.resume() }
        if let observeAttempt {
            let observed: InferenceAttempt.Outcome = switch outcome {
            case .succeeded: .succeeded
            case .failed(.cancelled), .abandoned: .cancelled
            case .failed: .failed
            }
            observeAttempt(InferenceAttempt(model: lease.model, endpoint: lease.endpointName, outcome: observed,
                                            duration: ended - started))
        }
        return result
    }
}

/// Counts the chunks passed on to a caller, to tell failures before any of the answer
/// reached it (retryable) from failures after (never retried).
private final class DeliveredChunks: Sendable {
    /// Atomic: chunks arrive on the backend's I/O thread while the request's task reads.
    private let delivered = Atomic<Int>(0)

    /// Notes one more chunk delivered.
    func count() {
        delivered.add(1, ordering: .relaxed)
    }

    /// The chunks delivered so far.
    var total: Int {
        delivered.load(ordering: .relaxed)
    }
}
