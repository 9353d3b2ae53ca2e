import Foundation
import Glibc
import ProcessIsolation
import Registry
import SkillRuntime

/// Installs skill files: checks that the caller may read the file, stores it by content
/// hash, validates it as a skill, and records it in the registry.
///
/// The daemon reads only the file's ELF header itself; everything that needs `dlopen` (and
/// so runs the file's ELF constructors) happens in a throwaway worker, through `inspector`.
public struct SkillInstaller: Sendable {
    /// Checks a stored skill file and returns its manifest, without loading it into the
    /// daemon: ``ProcessRunner/inspect(path:)``.
    public typealias Inspector = @Sendable (_ path: String) async -> Swift.Result<SkillManifest, SkillInspectionError>

    /// What an install did.
    public struct Result: Sendable {
        /// `installed`, `unchanged` or `replaced`.
        public var outcome: Registry.InstallOutcome
        /// The skill as recorded.
        public var skill: SkillRecord
        /// The hash of the skill this one replaced, when `outcome` is `replaced`.
        public var replacedSHA256: String?
    }

    private let registry: Registry
    private let inspector: Inspector

    /// Creates an installer over `registry` that validates files with `inspector`.
    public init(registry: Registry, inspector: @escaping Inspector) {
        self.registry = registry
        self.inspector = inspector
    }

    /// Installs the skill file at `path` for a caller with `uid` and `gid`, to run with
    /// `isolation` and `memoryLimitBytes` (nil: the daemon's default). A skill already
    /// installed with the same file keeps its own settings.
    public func install(path: String, expectedSHA256: String?, force: Bool, isolation: IsolationMode,
                        memoryLimitBytes: Int64? = nil, callerUID: UInt32, callerGID: UInt32)
        async throws(ServiceError) -> Result
    {
        guard path.hasPrefix("/") else {
            throw .invalidParams("path must be absolute, not \"\(path)\" (skillctl resolves relative paths for you)")
        }
        guard !path.utf8.contains(0) else { throw .invalidParams("path contains a NUL byte") }
        try Self.checkCallerMayRead(path: path, uid: callerUID, gid: callerGID)
        if let expectedSHA256 {
            guard expectedSHA256.count == 64, expectedSHA256.allSatisfy(\.isHexDigit) else {
                throw .invalidParams("sha256 must be 64 hexadecimal digits, not \"\(expectedSHA256)\"")
            }
        }

        let stored: StoredFile
        do {
            stored = try registry.storeSkillFile(contentsOf: path)
        } catch {
            throw ServiceError(.invalidSkill, "cannot install \(path): \(error)")
        }
        if let expectedSHA256, expectedSHA256.lowercased() != stored.sha256 {
            discard(stored)
            throw ServiceError(.conflict, "\(path) has sha256 \(stored.sha256), not the expected \(expectedSHA256.lowercased()): "
                + "the file changed or is not the one you meant")
        }
        let manifest: SkillManifest
        do {
            // Cheap refusals first, without starting a worker: the header is only read.
            try ELFIdentity.read(path: stored.path).validate(path: stored.path)
        } catch {
            discard(stored)
            throw ServiceError(.invalidSkill, error.description.replacingOccurrences(of: stored.path, with: path))
        }
        switch await inspector(stored.path) {
        case let .success(inspected):
            manifest = inspected
        case let .failure(error):
            discard(stored)
            let message = error.description.replacingOccurrences(of: stored.path, with: path)
            if case .workerFailed = error { throw .internal(message) }
            throw ServiceError(.invalidSkill, message)
        }
        let previous = try? registry.skill(named: manifest.name, version: manifest.version)
        let record = SkillRecord(
            name: manifest.name, version: manifest.version, sha256: stored.sha256, size: stored.size,
            description: manifest.description, inputSchema: manifest.inputSchema, outputSchema: manifest.outputSchema,
            flags: manifest.flags, abiMajor: manifest.abiMajor, abiMinor: manifest.abiMinor,
            isolation: isolation, memoryLimitBytes: memoryLimitBytes, installedAt: Date())
        do {
            let outcome = try registry.install(record, force: force)
            let installed = try registry.skill(named: manifest.name, version: manifest.version) ?? record
            return Result(outcome: outcome, skill: installed,
                          replacedSHA256: outcome == .replaced ? previous?.sha256 : nil)
        } catch let error {
            if case let .conflict(name, version, installedSHA256, newSHA256) = error {
                discard(stored)
                throw ServiceError(.conflict, "\(name)@\(version) is already installed with sha256 \(installedSHA256), "
                    + "and \(path) has \(newSHA256): bump the skill's version, or pass --force to replace it",
                    extra: ["installed_sha256": .string(installedSHA256), "sha256": .string(newSHA256)])
            }
            throw .internal("cannot record \(manifest.name)@\(manifest.version) in the registry: \(error)")
        }
    }

    private func discard(_ stored: StoredFile) {
        try? registry.discardStoredFileIfUnused(sha256: stored.sha256)
    }

    /// Refuses a path that is not a regular file the caller could read itself
    /// (``CallerFileAccess``).
    static func checkCallerMayRead(path: String, uid: UInt32, gid: UInt32) throws(ServiceError) {
        do {
            try CallerFileAccess(uid: uid, gid: gid).check(path)
        } catch {
            switch error {
            case .missing: throw .invalidParams("cannot install \(path): no such file")
            case let .unreachable(reason): throw ServiceError(.invalidSkill, "cannot install \(path): \(reason)")
            case .notRegularFile: throw ServiceError(.invalidSkill, "cannot install \(path): it is not a regular file")
            case .notReadable: throw ServiceError(.permissionDenied, "cannot install \(path): uid \(uid) may not read it")
            }
        }
    }
}
