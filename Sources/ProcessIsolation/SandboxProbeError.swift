/// Why the daemon could not learn the sandbox of its workers.
public struct SandboxProbeError: Error, Sendable, CustomStringConvertible {
    /// What went wrong: the worker could not start, or ended first (with its message).
    public let reason: String

    /// "cannot probe the worker sandbox: ..."
    public var description: String { "cannot probe the worker sandbox: \(reason)" }
}
