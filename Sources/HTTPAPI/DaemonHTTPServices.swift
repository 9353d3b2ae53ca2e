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
    /// The MCP sessions of `/mcp`.
    let mcpSessions = MCPHTTPSessions()
    let recordRequest: @Sendable (_ route: String, _ method: String, _ status: Int, _ duration: Duration) -> Void
    /// Whether the listener speaks TLS: the status page's cookie is then `Secure`.
    let servesTLS: Bool

    /// Services of these parts: `protocolHandler` answers the protocol's methods, within the
    /// request size and batch length `protocolLimits` gives at each request (the socket's
    /// limits, so `/rpc` refuses what the socket refuses); `isReady` answers `/readyz` and
    /// `metrics` gives `/metrics`'s exposition; `recordRequest` counts each request answered, by
    /// its route's pattern (`other` for no route), method and status, with the time to its answer;
    /// `servesTLS` says whether the listener speaks TLS.
    public init(registry: Registry, protocolHandler: any JSONRPCMethodHandler,
                protocolLimits: @escaping @Sendable () -> JSONRPCServerLimits,
                isReady: @escaping @Sendable () -> Bool,
                metrics: @escaping @Sendable () -> (contentType: String, text: String),
                recordRequest: @escaping @Sendable (_ route: String, _ method: String, _ status: Int, _ duration: Duration) -> Void,
                servesTLS: Bool) {
        self.registry = registry
        self.protocolHandler = protocolHandler
        self.protocolLimits = protocolLimits
        self.isReady = isReady
        self.metrics = metrics
        self.recordRequest = recordRequest
        self.servesTLS = servesTLS
    }
}
