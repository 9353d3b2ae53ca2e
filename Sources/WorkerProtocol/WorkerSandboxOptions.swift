import SkillhostModel

/// The sandbox a worker sets up for itself (docs/SECURITY.md), as the daemon passes it on
/// the worker's command line: which namespaces the daemon created it in, and the skill's
/// grants. The flags are declared here once, for both sides.
package struct WorkerSandboxOptions: Sendable, Equatable {
    /// The namespaces of the worker's own, created by the daemon's `clone`.
    package enum Namespace: String, Sendable, CaseIterable {
        case user, mount, pid, network, ipc
    }

    /// Whether the worker sandboxes itself at all (`--sandbox`); without it, the daemon's
    /// `sandbox` setting is off and every other option is ignored.
    package var enabled = false
    /// The namespaces the daemon created the worker in; empty: none could be created.
    package var namespaces: Set<Namespace> = []
    /// The skill's grants, its limits resolved against the daemon's defaults.
    package var grants = SkillGrants.none
    /// Whether a missing layer ends the worker instead of being reported (`sandbox_required`).
    package var required = false
    /// Whether the worker runs as an unprivileged uid outside its user namespace; false
    /// when the daemon, not root, runs workers as its own uid (which is no privilege).
    package var unprivilegedOuterUser = false
    /// The size of the worker's private `/tmp` (and `/dev/shm`), in bytes.
    package var temporaryBytes = 64 << 20
    /// Whether descriptor 4 holds the skill file, opened by the daemon: the worker copies
    /// it into its view, where the daemon's path does not exist.
    package var skillDescriptor = false

    /// Options of the given values.
    package init() {}

    /// The namespaces the worker should have: all, but the network's when the skill is
    /// granted the host's network.
    package var wantedNamespaces: Set<Namespace> {
        grants.network == .host ? Set(Namespace.allCases).subtracting([.network]) : Set(Namespace.allCases)
    }

    private enum Flag: String {
        case enabled = "--sandbox"
        case namespaces = "--namespaces"
        case network = "--network"
        case readOnly = "--read-only"
        case processLimit = "--process-limit"
        case cpuSecondsPerRun = "--cpu-seconds-per-run"
        case required = "--sandbox-required"
        case unprivilegedOuterUser = "--unprivileged-outer-user"
        case temporaryBytes = "--temporary-bytes"
        case skillDescriptor = "--skill-descriptor"
    }

    /// The worker's arguments that say all this.
    package var arguments: [String] {
        guard enabled else { return [] }
        var arguments = [Flag.enabled.rawValue, Flag.namespaces.rawValue,
                         Namespace.allCases.filter(namespaces.contains).map(\.rawValue).joined(separator: ","),
                         Flag.network.rawValue, grants.network.rawValue,
                         Flag.temporaryBytes.rawValue, String(temporaryBytes)]
        for path in grants.readOnlyPaths { arguments += [Flag.readOnly.rawValue, path] }
        if let limit = grants.processLimit { arguments += [Flag.processLimit.rawValue, String(limit)] }
        if let seconds = grants.cpuSecondsPerRun { arguments += [Flag.cpuSecondsPerRun.rawValue, String(seconds)] }
        if required { arguments.append(Flag.required.rawValue) }
        if unprivilegedOuterUser { arguments.append(Flag.unprivilegedOuterUser.rawValue) }
        if skillDescriptor { arguments.append(Flag.skillDescriptor.rawValue) }
        return arguments
    }

    /// Whether `flag` is one of these options, and whether it takes a value.
    package static func takesValue(_ flag: String) -> Bool? {
        switch Flag(rawValue: flag) {
        case nil: nil
        case .enabled?, .required?, .unprivilegedOuterUser?, .skillDescriptor?: false
        default: true
        }
    }

    /// Applies one flag (with its value, when it takes one); a message naming the flag
    /// when the value is not one it takes.
    package mutating func apply(_ flag: String, value: String?) -> String? {
        switch Flag(rawValue: flag) {
        case .namespaces?:
            var parsed: Set<Namespace> = []
            for name in (value ?? "").split(separator: ",") {
                guard let namespace = Namespace(rawValue: String(name)) else { return "\(flag): unknown namespace \(name)" }
                parsed.insert(namespace)
            }
            namespaces = parsed
        case .network?:
            guard let access = value.flatMap(NetworkAccess.init(rawValue:)) else { return "\(flag) must be none or host" }
            grants.network = access
        case .readOnly?:
            guard let value, value.hasPrefix("/") else { return "\(flag) needs an absolute path" }
            grants.readOnlyPaths.append(value)
        case .processLimit?:
            guard let limit = value.flatMap(Int.init), limit > 0 else { return "\(flag) must be a positive number" }
            grants.processLimit = limit
        case .cpuSecondsPerRun?:
            guard let seconds = value.flatMap(Int.init), seconds > 0 else { return "\(flag) must be a positive number" }
            grants.cpuSecondsPerRun = seconds
        case .temporaryBytes?:
            guard let bytes = value.flatMap(Int.init), bytes > 0 else { return "\(flag) must be a positive number of bytes" }
            temporaryBytes = bytes
        case .enabled?: enabled = true
        case .required?: required = true
        case .unprivilegedOuterUser?: unprivilegedOuterUser = true
        case .skillDescriptor?: skillDescriptor = true
        case nil: return "unknown worker option \(flag)"
        }
        return nil
    }
}
