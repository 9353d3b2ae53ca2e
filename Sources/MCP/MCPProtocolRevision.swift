/// A revision of the Model Context Protocol that `initialize` can agree on, newest last.
///
/// 2026-07-28 and later are negotiated with `server/discover` and a per-request envelope
/// instead of `initialize`; a session answers `server/discover` with `method_not_found`, on
/// which clients fall back to `initialize`.
public enum MCPProtocolRevision: String, Sendable, CaseIterable, Comparable {
    /// The first revision.
    case v2024_11_05 = "2024-11-05"
    /// Adds the `message` of progress notifications, tool annotations, Streamable HTTP.
    case v2025_03_26 = "2025-03-26"
    /// Adds structured tool output (`outputSchema`, `structuredContent`); drops batches.
    case v2025_06_18 = "2025-06-18"
    /// The newest revision reached through `initialize`.
    case v2025_11_25 = "2025-11-25"

    /// The newest revision: what a session answers a client that asks for one it does not know.
    public static let latest = allCases.last!

    /// The revision a session speaks with a client that asks for `requested`: that one when
    /// it is known, else ``latest`` (the client then decides whether it can speak it).
    public static func negotiated(requested: String?) -> MCPProtocolRevision {
        requested.flatMap(MCPProtocolRevision.init(rawValue:)) ?? latest
    }

    /// Whether tools declare `outputSchema` and results carry `structuredContent`.
    var hasStructuredToolOutput: Bool { self >= .v2025_06_18 }

    /// Whether progress notifications carry a `message`.
    var hasProgressMessages: Bool { self >= .v2025_03_26 }

    /// Whether `lhs` is an older revision than `rhs`.
    public static func < (lhs: MCPProtocolRevision, rhs: MCPProtocolRevision) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
