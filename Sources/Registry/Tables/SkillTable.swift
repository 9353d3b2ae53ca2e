import SkillhostModel

/// The SQL of the `skills` table. Every function runs on a connection the caller holds,
/// inside the caller's transaction.
enum SkillTable {
    private static let columns = """
        name, version, sha256, size, description, input_schema, output_schema, flags, abi_major,
        abi_minor, isolation, installed_at, memory_limit_bytes, network, read_only_paths, process_limit,
        cpu_seconds_per_run, state
        """

    /// Every version of every skill, in no particular order.
    static func all(in database: DatabaseConnection) throws(RegistryError) -> [SkillRecord] {
        try mapped(database.fetchAll(SkillRecord.self, "SELECT \(columns) FROM skills"))
    }

    /// Every version of the skill `name`, in no particular order.
    static func versions(named name: String, in database: DatabaseConnection) throws(RegistryError) -> [SkillRecord] {
        try mapped(database.fetchAll(SkillRecord.self, "SELECT \(columns) FROM skills WHERE name = ?", [name]))
    }

    /// The skill `name` at exactly `version`.
    static func find(name: String, version: String, in database: DatabaseConnection) throws(RegistryError) -> SkillRecord? {
        try mapped(database.fetchOne(
            SkillRecord.self, "SELECT \(columns) FROM skills WHERE name = ? AND version = ?", [name, version]))
    }

    /// Every skill whose file has content hash `sha256`.
    static func using(sha256: String, in database: DatabaseConnection) throws(RegistryError) -> [SkillRecord] {
        try mapped(database.fetchAll(SkillRecord.self, "SELECT \(columns) FROM skills WHERE sha256 = ?", [sha256]))
    }

    /// Whether any skill's file has content hash `sha256`.
    static func isReferenced(sha256: String, in database: DatabaseConnection) throws(RegistryError) -> Bool {
        try mapped(database.fetchOne("SELECT EXISTS (SELECT 1 FROM skills WHERE sha256 = ?)", [sha256]) {
            $0.int64(at: 0) != 0
        }) ?? false
    }

    /// Inserts `skill`, or replaces every field of the row with the same name and version but
    /// its lifecycle state: a disabled skill installed again stays disabled.
    static func save(_ skill: SkillRecord, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute("""
            INSERT INTO skills (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (name, version) DO UPDATE SET
                sha256 = excluded.sha256, size = excluded.size, description = excluded.description,
                input_schema = excluded.input_schema, output_schema = excluded.output_schema,
                flags = excluded.flags, abi_major = excluded.abi_major, abi_minor = excluded.abi_minor,
                isolation = excluded.isolation, installed_at = excluded.installed_at,
                memory_limit_bytes = excluded.memory_limit_bytes, network = excluded.network,
                read_only_paths = excluded.read_only_paths, process_limit = excluded.process_limit,
                cpu_seconds_per_run = excluded.cpu_seconds_per_run
            """, [
                skill.name, skill.version, skill.sha256, skill.size, skill.description, skill.inputSchema,
                skill.outputSchema, skill.flags, skill.abiMajor, skill.abiMinor, skill.isolation.rawValue,
                DatabaseTime.microseconds(skill.installedAt), skill.memoryLimitBytes, skill.grants.network.rawValue,
                storedPaths(skill.grants.readOnlyPaths), skill.grants.processLimit, skill.grants.cpuSecondsPerRun,
                skill.state.rawValue,
            ]))
    }

    /// Writes the settings of `skill` (isolation, memory limit, grants, lifecycle state) to its row.
    static func updateSettings(of skill: SkillRecord, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute("""
            UPDATE skills SET isolation = ?, memory_limit_bytes = ?, network = ?, read_only_paths = ?,
                process_limit = ?, cpu_seconds_per_run = ?, state = ?
            WHERE name = ? AND version = ?
            """, [
                skill.isolation.rawValue, skill.memoryLimitBytes, skill.grants.network.rawValue,
                storedPaths(skill.grants.readOnlyPaths), skill.grants.processLimit, skill.grants.cpuSecondsPerRun,
                skill.state.rawValue, skill.name, skill.version,
            ]))
    }

    /// The `read_only_paths` column of `paths`: joined by newline, empty for none.
    static func storedPaths(_ paths: [String]) -> String {
        paths.joined(separator: "\n")
    }

    /// The paths of a `read_only_paths` column.
    static func paths(stored: String) -> [String] {
        stored.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Deletes the skill `name` at `version`.
    static func delete(name: String, version: String, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute("DELETE FROM skills WHERE name = ? AND version = ?", [name, version]))
    }
}

extension SkillRecord: FetchableRecord {
    init(row: Statement) throws(DatabaseError) {
        try self.init(
            name: row.text("name"), version: row.text("version"), sha256: row.text("sha256"), size: row.int64("size"),
            description: row.text("description"), inputSchema: row.optionalText("input_schema"), outputSchema: row.optionalText("output_schema"),
            flags: UInt32(truncatingIfNeeded: row.int64("flags")), abiMajor: Int(row.int64("abi_major")),
            abiMinor: Int(row.int64("abi_minor")), isolation: row.decode(IsolationMode.self, "isolation"),
            memoryLimitBytes: row.optionalInt64("memory_limit_bytes"),
            grants: SkillGrants(
                network: row.decode(NetworkAccess.self, "network"),
                readOnlyPaths: SkillTable.paths(stored: row.text("read_only_paths")),
                processLimit: row.optionalInt64("process_limit").map { Int(truncatingIfNeeded: $0) },
                cpuSecondsPerRun: row.optionalInt64("cpu_seconds_per_run").map { Int(truncatingIfNeeded: $0) }),
            state: row.decode(SkillState.self, "state"),
            installedAt: DatabaseTime.date(microseconds: row.int64("installed_at")))
    }
}
