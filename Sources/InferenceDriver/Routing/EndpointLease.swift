/// One slot on one endpoint, taken for one attempt; given back with
/// ``RouterState/release(_:outcome:at:)``.
struct EndpointLease: Sendable {
    /// The attachment the slot belongs to (``EndpointRecord/id``).
    let endpointID: UInt64
    /// The backend to send the attempt to; kept here so that an attempt in flight
    /// finishes even when its endpoint is detached meanwhile.
    let backend: any InferenceBackend
    /// The endpoint's base URL safe to show, for errors the router makes up itself.
    let displayURL: String
    /// The endpoint's name and its logical model, for the router's observer.
    let endpointName: String
    let model: String
}

/// How an attempt made under an ``EndpointLease`` ended.
enum AttemptOutcome {
    /// The backend answered, after `latency`.
    case succeeded(latency: Duration)
    /// The backend failed with this error.
    case failed(InferenceError)
    /// Nothing was sent: the caller was cancelled between getting the slot and sending.
    case abandoned
}
