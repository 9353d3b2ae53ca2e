import JSONRPC
import Registry

/// What the HTTP API answers from: the daemon's registry (for tokens), its protocol handler
/// (every route but the probes and `/metrics` is a protocol call made in the token's name),
/// and the readings of its state.
public struct DaemonHTTPServices: Sendable {
    let registry: Registry
    let protocolHandler: any JSONRPCMethodHandler
    let protocolLimits: @Sendable () -> JSONRPCServerLimits
    let isReady: @Sendable () -> Bool
    let metrics: @Sendable () -> (contentType: String, text: String)

    /// Services of these parts: `protocolHandler` answers the protocol's methods, within the
    /// request size and batch length `protocolLimits` gives at each request (the socket's
    /// limits, so `/rpc` refuses what the socket refuses); `isReady` answers `/readyz` and
    /// `metrics` gives `/metrics`'s exposition.
    public init(registry: Registry, protocolHandler: any JSONRPCMethodHandler,
                protocolLimits: @escaping @Sendable () -> JSONRPCServerLimits,
                isReady: @escaping @Sendable () -> Bool,
                metrics: @escaping @Sendable () -> (contentType: String, text: String)) {
        self.registry = registry
        self.protocolHandler = protocolHandler
        self.protocolLimits = protocolLimits
        self.isReady = isReady
        self.metrics = metrics
    }
}
