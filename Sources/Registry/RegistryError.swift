import SkillhostModel

/// Everything that can go wrong in the registry, each with a message that says what failed, with
/// which input, and what to do about it.
public enum RegistryError: Error, Sendable, CustomStringConvertible {
    /// A skill of that name and version is installed with other bytes.
    case conflict(name: String, version: String, installedSHA256: String, newSHA256: String)
    /// No skill of that name (and version, when given) is installed.
    case skillNotFound(name: String, version: String?)
    /// No run has that id.
    case runNotFound(id: Int64)
    /// No schedule has that id.
    case scheduleNotFound(id: Int64)
    /// No token is named so (or has that id); a revoked token is named by its id only.
    case tokenNotFound(TokenReference)
    /// A token not revoked already has that name.
    case tokenNameTaken(String)
    /// Not a token's name: a letter, then letters, digits, `.`, `_` or `-`, at most 64.
    case invalidTokenName(String)
    /// A token's list of skills is empty, or has a name that is empty or holds a comma.
    case invalidTokenSkills([String])
    /// The run already reached a final state, which is never changed.
    case runAlreadyFinished(id: Int64, status: RunStatus)
    /// A run was given a status that the operation does not accept.
    case invalidRunStatus(RunStatus, operation: String, expected: [RunStatus])
    /// A skill's version is not a semantic version (`MAJOR.MINOR.PATCH[-pre][+build]`).
    case invalidVersion(name: String, version: String)
    /// Not 64 lowercase hexadecimal digits.
    case invalidSHA256(String)
    /// A skill record names a content hash whose file is not in the store.
    case storedFileMissing(sha256: String, path: String)
    /// A skill file is larger than the store accepts.
    case fileTooLarge(path: String, size: Int64, limit: Int64)
    /// A path to store is not a regular file.
    case notARegularFile(path: String)
    /// A file changed while it was being stored (its bytes hashed differently on the second read).
    case fileChangedWhileStoring(path: String)
    /// A system call on a file or directory failed.
    case io(path: String, operation: String, reason: String)
    /// The registry file was written by a newer skillhost.
    case schemaTooNew(path: String, found: Int, known: Int)
    /// SQLite failed.
    case database(DatabaseError)

    /// A sentence for an operator.
    public var description: String {
        switch self {
        case let .conflict(name, version, installed, new):
            return "skill \(name)@\(version) is already installed with sha256 \(installed), "
                + "and the new file has sha256 \(new): use --force to replace it, or bump the version"
        case let .skillNotFound(name, version?):
            return "no skill \(name)@\(version) is installed: list installed skills with `skillctl skills`"
        case let .skillNotFound(name, nil):
            return "no skill named \(name) is installed: list installed skills with `skillctl skills`"
        case let .runNotFound(id):
            return "no run has id \(id): list runs with `skillctl runs`"
        case let .scheduleNotFound(id):
            return "no schedule has id \(id): list schedules with `skillctl schedules`"
        case let .tokenNotFound(reference):
            return "no \(reference) exists (a revoked token is named by its id): list tokens with `skillctl tokens list`"
        case let .tokenNameTaken(name):
            return "a token named \(name) exists already: revoke it first (`skillctl tokens revoke \(name)`), or choose another name"
        case let .invalidTokenName(name):
            return "\"\(name)\" cannot name a token: use a letter, then letters, digits, '.', '_' or '-' (at most 64)"
        case let .invalidTokenSkills(skills):
            return "the token's skills \(skills) are not a list of skill names: give NAME[,NAME...], or no list for every skill"
        case let .runAlreadyFinished(id, status):
            return "run \(id) already finished as \(status.rawValue); a final state is never changed"
        case let .invalidRunStatus(status, operation, expected):
            let names = expected.map(\.rawValue).joined(separator: ", ")
            return "\(operation) cannot use status \(status.rawValue): expected one of \(names)"
        case let .invalidVersion(name, version):
            return "skill \(name) has version '\(version)', which is not a semantic version "
                + "(MAJOR.MINOR.PATCH[-prerelease][+build], e.g. 1.2.0): fix the skill's descriptor"
        case let .invalidSHA256(text):
            return "'\(text)' is not a SHA-256 digest: expected 64 lowercase hexadecimal digits"
        case let .storedFileMissing(sha256, path):
            return "the skill file with sha256 \(sha256) is not in the store (\(path) is missing): "
                + "store the file again, then install"
        case let .fileTooLarge(path, size, limit):
            return "\(path) is \(size) bytes, more than the \(limit) bytes a skill file may have"
        case let .notARegularFile(path):
            return "\(path) is not a regular file: give the path of a skill's .so file"
        case let .fileChangedWhileStoring(path):
            return "\(path) changed while it was being stored: wait until it is fully written, then try again"
        case let .io(path, operation, reason):
            return "cannot \(operation) \(path): \(reason)"
        case let .schemaTooNew(path, found, known):
            return "registry at \(path) has schema version \(found), this skillhostd knows up to \(known): "
                + "upgrade skillhost"
        case let .database(error):
            return "registry database error: \(error)"
        }
    }
}

extension RegistryError: DatabaseErrorRepresentable {
    init(_ databaseError: DatabaseError) {
        self = .database(databaseError)
    }
}

/// Evaluates a database operation, reporting its failure as ``RegistryError/database(_:)``.
func mapped<Value>(_ operation: @autoclosure () throws(DatabaseError) -> Value) throws(RegistryError) -> Value {
    do {
        return try operation()
    } catch {
        throw .database(error)
    }
}
