/// Whether workers are sandboxed (`sandbox`), and what a missing layer does.
public enum SandboxMode: String, Sendable, CaseIterable {
    /// Every layer the kernel allows; a missing one is logged as a warning.
    case on
    /// Every layer, and a worker that lacks one does not run (nor does the daemon start).
    case required
    /// No sandbox: workers have the daemon's authority (for debugging a skill).
    case off
}
