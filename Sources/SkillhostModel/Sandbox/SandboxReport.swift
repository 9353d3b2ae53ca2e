/// Which layers of the sandbox a worker has, and why the others are missing.
public struct SandboxReport: Sendable, Equatable, Codable {
    /// One layer's state.
    public struct Entry: Sendable, Equatable, Codable {
        /// The layer.
        public var layer: SandboxLayer
        /// Whether the worker has it.
        public var active: Bool
        /// What it is (`ABI 7`, `uid 65534`) when active; why it is missing otherwise.
        public var detail: String

        /// An entry of the given values.
        public init(layer: SandboxLayer, active: Bool, detail: String) {
            self.layer = layer
            self.active = active
            self.detail = detail
        }
    }

    /// Every layer, in ``SandboxLayer`` order.
    public var entries: [Entry]

    /// A report of the given entries.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The layers the worker has.
    public var activeLayers: [SandboxLayer] { entries.filter(\.active).map(\.layer) }

    /// The layers the worker lacks, with their reasons.
    public var missing: [Entry] { entries.filter { !$0.active } }

    /// One line for a log: `sandbox: user_namespace, pid_namespace, ...; missing: landlock (...)`.
    public var summary: String {
        let active = entries.filter(\.active).map { $0.detail.isEmpty ? $0.layer.rawValue : "\($0.layer.rawValue) (\($0.detail))" }
        let missing = self.missing.map { "\($0.layer.rawValue) (\($0.detail))" }
        return (active.isEmpty ? "no layer" : active.joined(separator: ", "))
            + (missing.isEmpty ? "" : "; missing: " + missing.joined(separator: ", "))
    }
}
