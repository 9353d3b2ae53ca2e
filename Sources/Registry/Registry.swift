import Foundation
import SkillhostModel

/// The daemon's durable state: installed skills, their content-addressed files, and the history
/// of runs, in `<data>/registry.sqlite3` and `<data>/skills/`.
///
/// Every method is synchronous and may be called from any thread or task; the database
/// connection is serialized by a lock (see ``DatabaseQueue``), and each method is one
/// transaction.
public final class Registry: Sendable {
    /// The directory that holds the registry file and the skill store.
    public let dataDirectory: String
    /// Internal, not private: the extensions in other files (batches) use it.
    let database: DatabaseQueue
    private let contentStore: ContentStore
    /// Makes the writes of runs and batch items by group commit (``recordRun(_:)``,
    /// ``recordRunEnd(id:with:)``, ``claimBatchItem(batchID:at:)``...). Internal, not
    /// private: the extension for batches uses it.
    let groupCommit: GroupCommit
    /// The answers of ``skill(named:version:)`` until a skill changes.
    private let skillLookups = SkillLookupCache()

    /// Opens the registry in `dataDirectory`, creating the directory (0700), the database and
    /// the store as needed, and migrating the schema. The database's files, when an older
    /// skillhost left them readable by others, are made private first.
    ///
    /// - Throws: ``RegistryError/schemaTooNew(path:found:known:)`` when the file was written by a
    ///   newer skillhost; ``RegistryError/io(path:operation:reason:)`` or
    ///   ``RegistryError/database(_:)`` when the files cannot be opened.
    public init(dataDirectory: String) throws(RegistryError) {
        self.dataDirectory = dataDirectory
        try Self.createDataDirectory(dataDirectory)
        let databasePath = dataDirectory + "/registry.sqlite3"
        for suffix in ["", "-wal", "-shm"] {
            FileSystem.removeGroupAndOtherAccess(databasePath + suffix)
        }
        database = try mapped(DatabaseQueue(path: databasePath))
        do {
            try RegistrySchema.migrator.migrate(database)
        } catch {
            switch error {
            case let .schemaTooNew(found, known):
                throw .schemaTooNew(path: databasePath, found: found, known: known)
            case let .stepFailed(_, _, databaseError), let .database(databaseError):
                throw .database(databaseError)
            }
        }
        contentStore = try ContentStore(directory: dataDirectory + "/skills")
        groupCommit = GroupCommit(database: database)
    }

    /// Creates the data directory `path` and its missing parents (0700) if needed, as
    /// opening a registry there does: for what goes into it before (the daemon's lock).
    /// - Throws: ``RegistryError/io(path:operation:reason:)`` naming the directory.
    public static func createDataDirectory(_ path: String) throws(RegistryError) {
        try FileSystem.createDirectories(path, mode: ContentStore.directoryMode)
    }

    /// The path of the SQLite file.
    public var databasePath: String {
        database.path
    }

    /// The schema version this code writes.
    public static var schemaVersion: Int {
        RegistrySchema.migrator.latestVersion
    }

    // MARK: - Skill files

    /// Copies the file at `path` into the content store (see ``ContentStore/store(contentsOf:)``).
    public func storeSkillFile(contentsOf path: String) throws(RegistryError) -> StoredFile {
        try contentStore.store(contentsOf: path)
    }

    /// The path of the stored file with content hash `sha256`, whether or not it is stored.
    public func storedFilePath(sha256: String) throws(RegistryError) -> String {
        try contentStore.path(forSHA256: sha256)
    }

    /// Removes the stored file with content hash `sha256`, unless an installed skill uses it.
    public func discardStoredFileIfUnused(sha256: String) throws(RegistryError) {
        _ = try contentStore.path(forSHA256: sha256)
        // The check and the removal run under the connection's lock, and ``install(_:force:)``
        // checks that the file exists under the same lock: a file is never removed while a
        // skill row that names it is being committed.
        try database.withConnection { (connection) throws(RegistryError) in
            if try !SkillTable.isReferenced(sha256: sha256, in: connection) {
                try contentStore.remove(sha256: sha256)
            }
        }
    }

    // MARK: - Skills

    /// What ``install(_:force:)`` did.
    public enum InstallOutcome: String, Sendable {
        /// The skill was new.
        case installed
        /// The same name, version and file were already installed; nothing was written.
        case unchanged
        /// The same name and version were installed with another file, and `force` replaced it.
        case replaced
    }

    /// Records `skill`, whose file must already be in the store.
    ///
    /// - Parameter force: Replace a skill of the same name and version installed with another file.
    /// - Throws: ``RegistryError/conflict(name:version:installedSHA256:newSHA256:)`` when that
    ///   skill is installed with another file and `force` is false;
    ///   ``RegistryError/storedFileMissing(sha256:path:)``, ``RegistryError/invalidVersion(name:version:)``
    ///   or ``RegistryError/invalidSHA256(_:)`` for an unusable record.
    public func install(_ skill: SkillRecord, force: Bool) throws(RegistryError) -> InstallOutcome {
        guard SemanticVersion(skill.version) != nil else {
            throw .invalidVersion(name: skill.name, version: skill.version)
        }
        let filePath = try contentStore.path(forSHA256: skill.sha256)
        let replacedSHA256 = try database.write { (connection) throws(RegistryError) -> String? in
            // Checked under the lock that discarding a file also takes, so the file cannot
            // vanish between this check and the commit.
            guard try contentStore.contains(sha256: skill.sha256) else {
                throw .storedFileMissing(sha256: skill.sha256, path: filePath)
            }
            let installed = try SkillTable.find(name: skill.name, version: skill.version, in: connection)
            if let installed, installed.sha256 == skill.sha256 {
                return nil
            }
            if let installed, !force {
                throw .conflict(name: skill.name, version: skill.version,
                                installedSHA256: installed.sha256, newSHA256: skill.sha256)
            }
            skillLookups.invalidate()
            try SkillTable.save(skill, in: connection)
            return installed?.sha256 ?? ""
        }
        switch replacedSHA256 {
        case nil:
            return .unchanged
        case "":
            return .installed
        case let oldSHA256?:
            try discardStoredFileIfUnused(sha256: oldSHA256)
            return .replaced
        }
    }

    /// The skill `name` at `version`, or at its highest semantic version when `version` is nil.
    ///
    /// Answered from memory after the first lookup, until this registry changes a skill (see
    /// ``SkillLookupCache``).
    public func skill(named name: String, version: String?) throws(RegistryError) -> SkillRecord? {
        if let known = skillLookups.answer(name: name, version: version) {
            return known
        }
        return try database.read { (connection) throws(RegistryError) -> SkillRecord? in
            let found = if let version {
                try SkillTable.find(name: name, version: version, in: connection)
            } else {
                try SkillTable.versions(named: name, in: connection).max(by: Self.versionPrecedes)
            }
            skillLookups.store(found, name: name, version: version)
            return found
        }
    }

    /// Every installed skill, by name, then by ascending semantic version.
    public func skills() throws(RegistryError) -> [SkillRecord] {
        try database.read { (connection) throws(RegistryError) -> [SkillRecord] in
            try SkillTable.all(in: connection).sorted(by: Self.listingOrder)
        }
    }

    /// Every installed skill whose file has content hash `sha256`, in listing order.
    public func skills(withSHA256 sha256: String) throws(RegistryError) -> [SkillRecord] {
        _ = try contentStore.path(forSHA256: sha256)
        return try database.read { (connection) throws(RegistryError) -> [SkillRecord] in
            try SkillTable.using(sha256: sha256, in: connection).sorted(by: Self.listingOrder)
        }
    }

    /// Uninstalls the skill `name` at `version`, or every version of it when `version` is nil,
    /// then removes the stored files no skill uses any more. Runs keep their history.
    ///
    /// - Returns: The removed skills in listing order; empty when none matched.
    public func removeSkills(named name: String, version: String?) throws(RegistryError) -> [SkillRecord] {
        let removed = try database.write { (connection) throws(RegistryError) -> [SkillRecord] in
            let matching: [SkillRecord]
            if let version {
                matching = try SkillTable.find(name: name, version: version, in: connection).map { [$0] } ?? []
            } else {
                matching = try SkillTable.versions(named: name, in: connection)
            }
            skillLookups.invalidate()
            for skill in matching {
                try SkillTable.delete(name: skill.name, version: skill.version, in: connection)
            }
            return matching.sorted(by: Self.listingOrder)
        }
        for sha256 in Set(removed.map(\.sha256)) {
            try discardStoredFileIfUnused(sha256: sha256)
        }
        return removed
    }

    /// Sets where the skill `name` at `version` (every version of it when `version` is nil)
    /// runs from its next run on.
    ///
    /// - Returns: The changed skills as now stored, in listing order; empty when none matched.
    public func updateIsolation(name: String, version: String?, to isolation: IsolationMode) throws(RegistryError) -> [SkillRecord] {
        try updateSettings(name: name, version: version) { $0.isolation = isolation }
    }

    /// Sets the memory limit of the worker processes of the skill `name` at `version`
    /// (every version of it when `version` is nil) from their next start on; nil: the
    /// daemon's default, 0: none.
    ///
    /// - Returns: The changed skills as now stored, in listing order; empty when none matched.
    public func updateMemoryLimit(name: String, version: String?, to memoryLimitBytes: Int64?) throws(RegistryError) -> [SkillRecord] {
        try updateSettings(name: name, version: version) { $0.memoryLimitBytes = memoryLimitBytes }
    }

    /// Sets what the worker processes of the skill `name` at `version` (every version of it
    /// when `version` is nil) may do beyond their CSI context, from their next start on.
    ///
    /// - Returns: The changed skills as now stored, in listing order; empty when none matched.
    public func updateGrants(name: String, version: String?, to grants: SkillGrants) throws(RegistryError) -> [SkillRecord] {
        try updateSettings(name: name, version: version) { $0.grants = grants }
    }

    /// Sets whether new runs of the skill `name` at `version` (every version of it when
    /// `version` is nil) start.
    ///
    /// - Returns: The changed skills as now stored, in listing order; empty when none matched.
    public func updateState(name: String, version: String?, to state: SkillState) throws(RegistryError) -> [SkillRecord] {
        try updateSettings(name: name, version: version) { $0.state = state }
    }

    /// Applies `change` to the settings of the matching skills in one transaction.
    private func updateSettings(name: String, version: String?, _ change: (inout SkillRecord) -> Void)
        throws(RegistryError) -> [SkillRecord]
    {
        try database.write { (connection) throws(RegistryError) -> [SkillRecord] in
            let matching: [SkillRecord]
            if let version {
                matching = try SkillTable.find(name: name, version: version, in: connection).map { [$0] } ?? []
            } else {
                matching = try SkillTable.versions(named: name, in: connection)
            }
            skillLookups.invalidate()
            var updated: [SkillRecord] = []
            for var skill in matching {
                change(&skill)
                try SkillTable.updateSettings(of: skill, in: connection)
                updated.append(skill)
            }
            return updated.sorted(by: Self.listingOrder)
        }
    }

    // MARK: - Runs

    /// Records a new run, which must start as ``RunStatus/queued`` or ``RunStatus/running``.
    public func createRun(_ run: NewRun) throws(RegistryError) -> RunRecord {
        try database.write { (connection) throws(RegistryError) -> RunRecord in
            try Self.insertRun(run, in: connection)
        }
    }

    /// Records a new run as ``createRun(_:)`` does, by group commit: in one transaction with
    /// the other run records submitted meanwhile, written on a queue of the registry's own.
    /// Returns once the record is committed; the calling task is suspended, never a thread
    /// blocked. Ignores cancellation: a record that was asked for is written.
    public func recordRun(_ run: NewRun) async throws(RegistryError) -> RunRecord {
        try await groupCommit.write { connection throws(RegistryError) in try Self.insertRun(run, in: connection) }
    }

    /// Inserts `run` inside the caller's transaction.
    static func insertRun(_ run: NewRun, in connection: DatabaseConnection) throws(RegistryError) -> RunRecord {
        guard !run.status.isFinal else {
            throw .invalidRunStatus(run.status, operation: "creating a run", expected: RunStatus.unfinished)
        }
        let id = try RunTable.insert(run, in: connection)
        return RunRecord(
            id: id, skillName: run.skillName, skillVersion: run.skillVersion, skillSHA256: run.skillSHA256,
            input: run.input, status: run.status, model: run.model, trigger: run.trigger,
            callerUID: run.callerUID, callerToken: run.callerToken, callerTokenID: run.callerTokenID, createdAt: run.createdAt, startedAt: run.startedAt,
            batchID: run.batchID, batchItem: run.batchItem, scheduleID: run.scheduleID, replayOf: run.replayOf)
    }

    /// Moves a queued run to running at `date`; a run already running is left as it is.
    ///
    /// - Throws: ``RegistryError/runNotFound(id:)``, or ``RegistryError/runAlreadyFinished(id:status:)``.
    public func markRunning(id: Int64, at date: Date) throws(RegistryError) {
        try database.write { (connection) throws(RegistryError) in
            if try RunTable.markRunning(id: id, at: date, in: connection) {
                return
            }
            guard let run = try RunTable.find(id: id, in: connection) else {
                throw .runNotFound(id: id)
            }
            if run.status.isFinal {
                throw .runAlreadyFinished(id: id, status: run.status)
            }
        }
    }

    /// Writes the final state of a run. A final state is written once and never changed.
    ///
    /// - Returns: The run as now stored.
    /// - Throws: ``RegistryError/runAlreadyFinished(id:status:)`` when the run is already final,
    ///   ``RegistryError/runNotFound(id:)``, or ``RegistryError/invalidRunStatus(_:operation:expected:)``
    ///   when `completion.status` is not final.
    public func finishRun(id: Int64, with completion: RunCompletion) throws(RegistryError) -> RunRecord {
        try database.write { (connection) throws(RegistryError) -> RunRecord in
            try Self.writeEnd(ofRun: id, with: completion, in: connection)
        }
    }

    /// Writes the final state of a run as ``finishRun(id:with:)`` does, by group commit (see
    /// ``recordRun(_:)``). Returns once it is committed; ignores cancellation, so the end of a
    /// run whose caller went away is still recorded.
    public func recordRunEnd(id: Int64, with completion: RunCompletion) async throws(RegistryError) -> RunRecord {
        try await groupCommit.write { connection throws(RegistryError) in
            try Self.writeEnd(ofRun: id, with: completion, in: connection)
        }
    }

    /// Writes the final state of run `id` inside the caller's transaction.
    static func writeEnd(
        ofRun id: Int64, with completion: RunCompletion, in connection: DatabaseConnection
    ) throws(RegistryError) -> RunRecord {
        guard completion.status.isFinal else {
            throw .invalidRunStatus(
                completion.status, operation: "finishing run \(id)",
                expected: RunStatus.allCases.filter(\.isFinal))
        }
        let finished = try RunTable.finish(id: id, with: completion, in: connection)
        guard let run = try RunTable.find(id: id, in: connection) else {
            throw .runNotFound(id: id)
        }
        guard finished else {
            throw .runAlreadyFinished(id: id, status: run.status)
        }
        try RunLogTable.insert(completion.logs, runID: id, in: connection)
        return run
    }

    /// The log lines of run `id`, oldest first; `nil` when there is no such run.
    public func logs(runID id: Int64) throws(RegistryError) -> [RunLogLine]? {
        try database.read { (connection) throws(RegistryError) -> [RunLogLine]? in
            guard try RunTable.find(id: id, in: connection) != nil else { return nil }
            return try RunLogTable.lines(runID: id, in: connection)
        }
    }

    /// The run with `id`, or `nil`.
    public func run(id: Int64) throws(RegistryError) -> RunRecord? {
        try database.read { (connection) throws(RegistryError) -> RunRecord? in
            try RunTable.find(id: id, in: connection)
        }
    }

    /// One page of runs matching `query`, newest first.
    public func runs(matching query: RunQuery) throws(RegistryError) -> [RunRecord] {
        try database.read { (connection) throws(RegistryError) -> [RunRecord] in
            try RunTable.page(matching: query, in: connection)
        }
    }

    /// Marks every queued or running run as ``RunStatus/interrupted`` (error kind `interrupted`,
    /// with `message`), as the daemon does when it starts after a stop that left runs unfinished.
    ///
    /// - Returns: The ids of the runs changed, oldest first.
    public func interruptUnfinishedRuns(at date: Date, message: String) throws(RegistryError) -> [Int64] {
        try database.write { (connection) throws(RegistryError) -> [Int64] in
            let ids = try RunTable.unfinishedIDs(in: connection)
            if !ids.isEmpty {
                try RunTable.interruptUnfinished(at: date, message: message, in: connection)
            }
            return ids
        }
    }

    /// How many runs were created in each of the `minutes` minutes that end at `end`, oldest
    /// first (the last minute is the one that ends at `end`). It reads only the runs of those
    /// minutes.
    public func runsPerMinute(minutes: Int, endingAt end: Date) throws(RegistryError) -> [Int] {
        try database.read { (connection) throws(RegistryError) -> [Int] in
            try RunTable.countsPerMinute(minutes: minutes, endingAt: end, in: connection)
        }
    }

    /// How many runs the registry holds, and how many of them are not yet final.
    public func runCounts() throws(RegistryError) -> (total: Int, unfinished: Int) {
        try database.read { (connection) throws(RegistryError) -> (total: Int, unfinished: Int) in
            try RunTable.counts(in: connection)
        }
    }

    // MARK: - Helpers

    /// Orders by semantic version, falling back to text for a version that does not parse.
    private static func versionPrecedes(_ lhs: SkillRecord, _ rhs: SkillRecord) -> Bool {
        switch (SemanticVersion(lhs.version), SemanticVersion(rhs.version)) {
        case let (left?, right?) where left != right:
            return left < right
        default:
            return lhs.version < rhs.version
        }
    }

    private static func listingOrder(_ lhs: SkillRecord, _ rhs: SkillRecord) -> Bool {
        lhs.name != rhs.name ? lhs.name < rhs.name : versionPrecedes(lhs, rhs)
    }
}
