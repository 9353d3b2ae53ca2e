import JSON
import JSONRPC
import SkillhostModel

/// `skills.grant`: what a skill's workers may do beyond their CSI context.
public struct GrantSkillRequest: SkillhostRequest {
    public static let method = "skills.grant"
    public static let summary = "sets what a skill's workers (every version, or one) may reach: network, read-only paths, process and CPU limits"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = SkillList

    /// The skill's name.
    public var name: String
    /// The one version to change; `nil`: every version.
    public var version: String?
    /// The grants to change; those absent stay as they are.
    public var grants: GrantParameters

    /// A request as given.
    public init(name: String, version: String? = nil, grants: GrantParameters) {
        self.name = name
        self.version = version
        self.grants = grants
    }

    /// Reads the params: `name`, `version` and the grant members of ``GrantParameters``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ParamKey.self)
        name = try container.decode(String.self, forKey: ParamKey("name"))
        version = try container.decodeIfPresent(String.self, forKey: ParamKey("version"))
        grants = try GrantParameters(from: container)
    }

    /// Writes the params as ``init(from:)`` reads them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ParamKey.self)
        try container.encode(name, forKey: ParamKey("name"))
        try container.encodeIfPresent(version, forKey: ParamKey("version"))
        try grants.encode(to: &container)
    }
}

/// The grant members of `skills.grant` and `skills.install`; each absent member leaves that
/// grant as it is (as none, or the default, for a new skill).
public struct GrantParameters: Sendable, Equatable {
    /// `none` or `host`.
    public var network: String?
    /// Absolute paths the worker may read, at the same place; `[]`: none.
    public var readOnlyPaths: [String]?
    /// The most processes and threads a worker may have at once.
    public var processLimit: GrantLimitParameter?
    /// The CPU seconds one run may use.
    public var cpuSecondsPerRun: GrantLimitParameter?

    /// The member names, as on the wire.
    public static let memberNames = ["network", "read_only_paths", "process_limit", "cpu_seconds_per_run"]

    /// Grant parameters as given.
    public init(network: String? = nil, readOnlyPaths: [String]? = nil, processLimit: GrantLimitParameter? = nil,
                cpuSecondsPerRun: GrantLimitParameter? = nil)
    {
        self.network = network
        self.readOnlyPaths = readOnlyPaths
        self.processLimit = processLimit
        self.cpuSecondsPerRun = cpuSecondsPerRun
    }

    /// Whether no grant is to change.
    public var isEmpty: Bool {
        network == nil && readOnlyPaths == nil && processLimit == nil && cpuSecondsPerRun == nil
    }

    /// Reads the grant members of a request's params; a limit of `null` is the daemon's
    /// default, not absent.
    init(from container: KeyedDecodingContainer<ParamKey>) throws {
        network = try container.decodeIfPresent(String.self, forKey: ParamKey("network"))
        readOnlyPaths = try container.decodeIfPresent([String].self, forKey: ParamKey("read_only_paths"))
        func limit(_ name: String) throws -> GrantLimitParameter? {
            let key = ParamKey(name)
            return container.contains(key) ? try GrantLimitParameter(from: container.superDecoder(forKey: key)) : nil
        }
        processLimit = try limit("process_limit")
        cpuSecondsPerRun = try limit("cpu_seconds_per_run")
    }

    /// Writes the grant members that are given.
    func encode(to container: inout KeyedEncodingContainer<ParamKey>) throws {
        try container.encodeIfPresent(network, forKey: ParamKey("network"))
        try container.encodeIfPresent(readOnlyPaths, forKey: ParamKey("read_only_paths"))
        try container.encodeIfPresent(processLimit, forKey: ParamKey("process_limit"))
        try container.encodeIfPresent(cpuSecondsPerRun, forKey: ParamKey("cpu_seconds_per_run"))
    }
}

/// A process or CPU limit as a param: a number, or `null` for the daemon's default
/// (`sandbox_process_limit`, `sandbox_cpu_seconds_per_run`).
public typealias GrantLimitParameter = DaemonDefaultable<Int>

/// A param's name as a coding key, for requests whose members are declared in parts.
struct ParamKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
