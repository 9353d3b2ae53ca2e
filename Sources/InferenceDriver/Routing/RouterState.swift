/// Everything ``InferenceRouter`` keeps between calls, and every decision made on it:
/// which endpoint gets an attempt, who waits, and what results change.
///
/// A plain value, mutated only under the router's lock. Methods that can free a slot or
/// change which endpoints are eligible return the waiters they satisfied as ``SlotGrant``s,
/// to be resumed after the lock is released.
struct RouterState {
    /// What ``lease(for:avoiding:)`` found.
    enum LeaseAttempt {
        /// A slot, already counted as taken.
        case leased(EndpointLease)
        /// Every eligible endpoint is at its concurrency limit.
        case busy
        /// The model has no endpoints at all.
        case noEndpoints
    }

    /// The attached endpoints, in the order they were attached.
    private(set) var endpoints: [EndpointRecord] = []
    /// Requests waiting for a slot, oldest first.
    private var waiters: [SlotWaiter] = []
    /// Every model that has had an endpoint, so that a model whose endpoints were all
    /// detached fails with ``InferenceError/noEndpoints(model:)`` rather than as unknown.
    private var modelsEverServed: Set<String> = []
    /// The last identifier handed out, for attachments and waiters alike.
    private var lastIdentifier: UInt64 = 0
    /// Counts selections, to order equally loaded endpoints round-robin.
    private var selections: UInt64 = 0

    /// A new identifier, never handed out before.
    mutating func makeIdentifier() -> UInt64 {
        lastIdentifier += 1
        return lastIdentifier
    }

    /// The logical models with at least one endpoint, sorted.
    var models: [String] {
        Set(endpoints.map(\.configuration.model)).sorted()
    }

    /// How many requests are waiting for a slot.
    var waiterCount: Int { waiters.count }

    /// Snapshots of every endpoint, sorted by model, then name.
    var status: [EndpointStatus] {
        endpoints.map(\.status).sorted { ($0.model, $0.name) < ($1.model, $1.name) }
    }

    /// The model a request for `requested` goes to: itself, or `defaultModel` when `nil`.
    ///
    /// - Throws: ``InferenceError/invalidRequest(reason:)`` when neither names a model,
    ///   ``InferenceError/noEndpoints(model:)`` when the model's endpoints were all
    ///   detached, ``InferenceError/unknownModel(name:known:)`` when it never had any.
    func resolve(_ requested: String?, defaultModel: String?) throws(InferenceError) -> String {
        guard let name = requested ?? defaultModel else {
            let known = models.isEmpty
                ? "no model is configured yet: attach an endpoint"
                : "name one of \(models.joined(separator: ", ")) in the request, or configure a default model"
            throw .invalidRequest(reason: "the request names no model and there is no default model; \(known)")
        }
        if endpoints.contains(where: { $0.configuration.model == name }) { return name }
        if modelsEverServed.contains(name) { throw .noEndpoints(model: name) }
        throw .unknownModel(name: name, known: models)
    }

    /// Adds an endpoint with its backend, and the result of a probe made before, if any.
    ///
    /// - Throws: ``RoutingError/duplicateName(_:)`` when the name is taken.
    mutating func attach(
        _ configuration: RoutedEndpoint, backend: any InferenceBackend, probed: Result<Void, InferenceError>? = nil
    ) throws(RoutingError) -> [SlotGrant] {
        guard !endpoints.contains(where: { $0.configuration.name == configuration.name }) else {
            throw .duplicateName(configuration.name)
        }
        var record = EndpointRecord(id: makeIdentifier(), configuration: configuration, backend: backend)
        if let probed { record.recordProbe(probed, at: .now) }
        endpoints.append(record)
        modelsEverServed.insert(configuration.model)
        return grantWaiters()
    }

    /// Removes the endpoint named `name` from routing. Attempts in flight on it finish;
    /// waiters whose model has no endpoint left fail.
    ///
    /// - Throws: ``RoutingError/unknownEndpoint(name:known:)`` when none has that name.
    mutating func detach(name: String) throws(RoutingError) -> (detached: RoutedEndpoint, grants: [SlotGrant]) {
        guard let index = endpoints.firstIndex(where: { $0.configuration.name == name }) else {
            throw .unknownEndpoint(name: name, known: endpoints.map(\.configuration.name))
        }
        let detached = endpoints.remove(at: index).configuration
        return (detached, grantWaiters())
    }

    /// Detaches the endpoints named `detaching` that are attached, then attaches
    /// `attaching`, and serves the waiters only once both are done, so that a waiter whose
    /// model keeps an endpoint never fails in between.
    ///
    /// - Throws: ``RoutingError/duplicateName(_:)`` when an endpoint to attach has the name
    ///   of one that stays attached or of another to attach; nothing changes then.
    mutating func replace(detaching: [String], attaching: [(RoutedEndpoint, any InferenceBackend)])
        throws(RoutingError) -> [SlotGrant]
    {
        var names = Set(endpoints.map(\.configuration.name)).subtracting(detaching)
        for (configuration, _) in attaching {
            guard names.insert(configuration.name).inserted else { throw .duplicateName(configuration.name) }
        }
        endpoints.removeAll { detaching.contains($0.configuration.name) }
        for (configuration, backend) in attaching {
            endpoints.append(EndpointRecord(id: makeIdentifier(), configuration: configuration, backend: backend))
            modelsEverServed.insert(configuration.model)
        }
        return grantWaiters()
    }

    /// Takes a slot for an attempt on `model`, if one is free.
    ///
    /// Eligible are the model's healthy endpoints or, when none is healthy, all of them:
    /// unknown or bad health never fails a request by itself. Among eligible endpoints with
    /// a free slot, the choice goes to, in order: one not in `alreadyTried`; when none is
    /// healthy, the one whose last failure is oldest (it has had the longest to recover);
    /// the fewest outstanding requests; the one chosen longest ago.
    mutating func lease(for model: String, avoiding alreadyTried: Set<UInt64>) -> LeaseAttempt {
        let serving = endpoints.indices.filter { endpoints[$0].configuration.model == model }
        guard !serving.isEmpty else { return .noEndpoints }
        let anyHealthy = serving.contains { endpoints[$0].healthy }
        let open = serving.filter { (endpoints[$0].healthy || !anyHealthy) && endpoints[$0].hasFreeSlot }
        guard let chosen = open.min(by: {
            Self.isPreferred(endpoints[$0], over: endpoints[$1], avoiding: alreadyTried)
        }) else { return .busy }
        selections += 1
        endpoints[chosen].lastSelection = selections
        endpoints[chosen].outstanding += 1
        endpoints[chosen].requests += 1
        let record = endpoints[chosen]
        return .leased(EndpointLease(endpointID: record.id, backend: record.backend, displayURL: record.displayURL,
                                     endpointName: record.configuration.name, model: model))
    }

    /// Queues a request that found no free slot; it is served in arrival order.
    mutating func enqueue(_ waiter: SlotWaiter) {
        waiters.append(waiter)
    }

    /// Takes the waiter `id` out of the queue, if it is still there.
    mutating func removeWaiter(id: UInt64) -> SlotWaiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index)
    }

    /// Gives a slot back and records how its attempt ended. Does nothing to the counters
    /// when the endpoint was detached meanwhile.
    mutating func release(_ lease: EndpointLease, outcome: AttemptOutcome, at instant: ContinuousClock.Instant) -> [SlotGrant] {
        guard let index = endpoints.firstIndex(where: { $0.id == lease.endpointID }) else { return [] }
        endpoints[index].outstanding -= 1
        switch outcome {
        case let .succeeded(latency):
            endpoints[index].recordSuccess(latency: latency)
        case let .failed(error):
            endpoints[index].recordFailure(error, at: instant)
        case .abandoned:
            endpoints[index].requests -= 1
        }
        return grantWaiters()
    }

    /// The endpoints to probe now: their identifiers, backends, display URLs and connect timeouts.
    var probeTargets: [(id: UInt64, backend: any InferenceBackend, displayURL: String, connectTimeout: Duration)] {
        endpoints.map { ($0.id, $0.backend, $0.displayURL, $0.configuration.endpoint.connectTimeout) }
    }

    /// Records a health probe's result, unless the endpoint was detached meanwhile.
    mutating func recordProbe(
        _ result: Result<Void, InferenceError>, of endpointID: UInt64, at instant: ContinuousClock.Instant
    ) -> [SlotGrant] {
        guard let index = endpoints.firstIndex(where: { $0.id == endpointID }) else { return [] }
        endpoints[index].recordProbe(result, at: instant)
        return grantWaiters()
    }

    /// Serves waiters, oldest first, that can now get a slot, and fails those whose model
    /// has no endpoint left. Called after every change that may free a slot or change
    /// which endpoints are eligible, so no waiter is left behind while a slot is free.
    private mutating func grantWaiters() -> [SlotGrant] {
        var grants: [SlotGrant] = []
        var stillWaiting: [SlotWaiter] = []
        for waiter in waiters {
            switch lease(for: waiter.model, avoiding: waiter.alreadyTried) {
            case let .leased(lease):
                grants.append(SlotGrant(continuation: waiter.continuation, result: .success(lease)))
            case .noEndpoints:
                grants.append(SlotGrant(continuation: waiter.continuation, result: .failure(.noEndpoints(model: waiter.model))))
            case .busy:
                stillWaiting.append(waiter)
            }
        }
        waiters = stillWaiting
        return grants
    }

    /// Whether `candidate` should get the next attempt rather than `other`; see
    /// ``lease(for:avoiding:)`` for the order.
    private static func isPreferred(
        _ candidate: EndpointRecord, over other: EndpointRecord, avoiding alreadyTried: Set<UInt64>
    ) -> Bool {
        let candidateTried = alreadyTried.contains(candidate.id)
        if candidateTried != alreadyTried.contains(other.id) { return !candidateTried }
        if !candidate.healthy, !other.healthy, candidate.lastFailure != other.lastFailure {
            guard let candidateFailure = candidate.lastFailure else { return true }
            guard let otherFailure = other.lastFailure else { return false }
            return candidateFailure < otherFailure
        }
        if candidate.outstanding != other.outstanding { return candidate.outstanding < other.outstanding }
        return candidate.lastSelection < other.lastSelection
    }
}
