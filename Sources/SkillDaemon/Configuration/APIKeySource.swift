import Foundation
import Glibc
import SystemCalls

/// Where an inference endpoint's API key comes from: an environment variable of the daemon
/// or a file only its owner can read. The configuration, the registry, logs and status
/// answers hold only this source (``description``, such as `env:OPENAI_API_KEY`); the key
/// itself is read into memory when the daemon starts or an endpoint is attached, and is
/// sent only as the `Authorization` header of inference requests.
public enum APIKeySource: Sendable, Equatable, CustomStringConvertible {
    /// The environment variable of this name (`api_key_env`).
    case environment(variable: String)
    /// The file at this absolute path (`api_key_file`); a trailing newline is not part of
    /// the key.
    case file(path: String)

    /// The largest key file read; an API key is a few hundred bytes at most.
    static let maximumFileBytes = 64 << 10

    /// `env:VARIABLE` or `file:/path`: what status answers show instead of the key.
    public var description: String {
        switch self {
        case let .environment(variable): "env:\(variable)"
        case let .file(path): "file:\(path)"
        }
    }

    /// Reads the key now.
    ///
    /// - Parameters:
    ///   - environment: the environment to look the variable up in (the daemon's own).
    ///   - callerUID: the uid of the client that named the source, when one did: a key
    ///     file must then belong to it (unless it is root or the daemon's own user), so
    ///     that the daemon never sends another user's key on a client's behalf.
    /// - Throws: ``APIKeyError`` naming the variable or the file and what to do; never the key.
    public func read(environment: [String: String] = ProcessInfo.processInfo.environment,
                     callerUID: UInt32? = nil) throws(APIKeyError) -> String {
        switch self {
        case let .environment(variable):
            guard Self.isVariableName(variable) else { throw .notVariableName }
            guard let value = environment[variable] else { throw .unsetVariable(variable) }
            let key = Self.trimmed(value)
            guard !key.isEmpty else { throw .emptyVariable(variable) }
            guard Self.isHeaderSafe(key) else { throw .controlCharacters(source: description) }
            return key
        case let .file(path):
            let key = Self.trimmed(try Self.contents(ofKeyFile: path, callerUID: callerUID))
            guard !key.isEmpty else { throw .emptyFile(path) }
            guard Self.isHeaderSafe(key) else { throw .controlCharacters(source: description) }
            return key
        }
    }

    /// Removes the variable that holds the key from this process's environment, once the
    /// key is read, so that the processes the daemon starts (skill workers, whose output
    /// is kept with their runs) never inherit it, and overwrites its value in the
    /// environment area the daemon was started with, so that `/proc/PID/environ` no longer
    /// shows it (see ``ProcessEnvironment/withdraw(_:)``). Does nothing for a key file.
    public func withdrawFromEnvironment() {
        guard case let .environment(variable) = self else { return }
        ProcessEnvironment.withdraw(variable)
    }

    /// The text of the key file at `path`, checked to be a regular file that neither its
    /// group nor others may read or write, and that belongs to `callerUID` when given.
    private static func contents(ofKeyFile path: String, callerUID: UInt32?) throws(APIKeyError) -> String {
        guard path.hasPrefix("/") else { throw .relativePath }
        let file = try readingKeyFile(path) { () throws(SystemCallError) in
            try FileDescriptor.open(path, flags: O_RDONLY | O_NOCTTY | O_NONBLOCK)
        }
        let status = try readingKeyFile(path) { () throws(SystemCallError) in try file.status() }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path) }
        let permissions = status.st_mode & 0o777
        guard permissions & 0o077 == 0 else { throw .exposedFile(path, mode: permissions) }
        if let callerUID, callerUID != 0, callerUID != getuid(), status.st_uid != callerUID {
            throw .notCallersFile(path, uid: callerUID)
        }
        let bytes = try readingKeyFile(path) { () throws(SystemCallError) in try file.readToEnd(upTo: maximumFileBytes + 1) }
        guard bytes.count <= maximumFileBytes else { throw .oversizedFile(path, limit: maximumFileBytes) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notText(path) }
        return text
    }

    /// Runs `body`, system calls on the key file at `path`, and reports their failure as
    /// ``APIKeyError/unreadableFile(_:reason:)``.
    private static func readingKeyFile<Value: ~Copyable>(
        _ path: String, _ body: () throws(SystemCallError) -> Value
    ) throws(APIKeyError) -> Value {
        do {
            return try body()
        } catch {
            throw .unreadableFile(path, reason: error.errno.description)
        }
    }

    /// Whether `name` can name an environment variable: letters, digits and `_`, not
    /// starting with a digit. Anything else is refused without being repeated, since it is
    /// most likely a key pasted where its variable's name belongs.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// `text` without the whitespace around it (a file's trailing newline, mostly).
    private static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `key` can go into an HTTP header as it is: no control characters, which
    /// could end the header and start another.
    private static func isHeaderSafe(_ key: String) -> Bool {
        key.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }
}

/// Why an API key could not be read. Messages name the variable or the file, never the
/// key, and say what to do.
public enum APIKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What names the variable is not a variable name (perhaps a key pasted in its place);
    /// it is not repeated.
    case notVariableName
    /// The environment variable is not set.
    case unsetVariable(String)
    /// The environment variable is set but empty.
    case emptyVariable(String)
    /// The key file's path is not absolute; it is not repeated (it may be a key pasted in
    /// its place).
    case relativePath
    /// The key file cannot be opened or read; `reason` is the system's.
    case unreadableFile(String, reason: String)
    /// The path names a directory, a device or a socket, not a regular file.
    case notRegularFile(String)
    /// Group or others may read or write the key file; `mode` is its permission bits.
    case exposedFile(String, mode: mode_t)
    /// The key file is larger than any key.
    case oversizedFile(String, limit: Int)
    /// The key file is not UTF-8 text.
    case notText(String)
    /// The key file holds nothing but whitespace.
    case emptyFile(String)
    /// The key holds a line break or another control character inside it.
    case controlCharacters(source: String)
    /// The client that named the key file may not read it itself.
    case notCallersFile(String, uid: UInt32)

    public var description: String {
        switch self {
        case .notVariableName:
            return "the API key variable must be named with letters, digits and _ (such as OPENAI_API_KEY); "
                + "give the name of the variable that holds the key, not the key itself"
        case let .unsetVariable(variable):
            return "the API key variable \(variable) is not set in skillhostd's environment: export it before starting skillhostd"
        case let .emptyVariable(variable):
            return "the API key variable \(variable) is empty in skillhostd's environment: set it to the key"
        case .relativePath:
            return "the API key file must be given as an absolute path, starting with / (the path given is not "
                + "repeated, in case it is a key)"
        case let .unreadableFile(path, reason):
            return "cannot read the API key file \(path): \(reason)"
        case let .notRegularFile(path):
            return "the API key file \(path) is not a regular file"
        case let .exposedFile(path, mode):
            return "the API key file \(path) may be read or written by its group or others (mode \(String(mode, radix: 8))): "
                + "make it private with chmod 600 \(path)"
        case let .oversizedFile(path, limit):
            return "the API key file \(path) is larger than \(limit) bytes, too large for a key: check the path"
        case let .notText(path):
            return "the API key file \(path) is not UTF-8 text: check the path"
        case let .emptyFile(path):
            return "the API key file \(path) is empty: write the key into it"
        case let .controlCharacters(source):
            return "the API key from \(source) contains a line break or another control character inside it: "
                + "it must be the key alone, on one line"
        case let .notCallersFile(path, uid):
            return "uid \(uid) may not use the API key file \(path): it belongs to another user"
        }
    }
}
