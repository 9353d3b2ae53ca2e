import Glibc
import SystemCalls

/// The few path-level system calls the store needs, with errors that name the path.
enum FileSystem {
    /// The failure in `errno` as a ``RegistryError/io(path:operation:reason:)``.
    static func lastError(path: String, operation: String) -> RegistryError {
        .io(path: path, operation: operation, reason: Errno.current.explanation)
    }

    /// Runs `body`, system calls about the file at `path`, and reports their failure as
    /// ``RegistryError/io(path:operation:reason:)`` with `operation` ("read", "fsync").
    static func performing<Value: ~Copyable>(
        _ operation: String, on path: String, _ body: () throws(SystemCallError) -> Value
    ) throws(RegistryError) -> Value {
        do {
            return try body()
        } catch {
            throw .io(path: path, operation: operation, reason: error.errno.explanation)
        }
    }

    /// Opens `path` with `open(2)` `flags` (and `O_CLOEXEC`).
    static func open(_ path: String, flags: Int32) throws(RegistryError) -> FileDescriptor {
        try performing("open", on: path) { () throws(SystemCallError) in try FileDescriptor.open(path, flags: flags) }
    }

    /// Creates `path` and any missing parents with `mode`; an existing directory is accepted
    /// as it is.
    static func createDirectories(_ path: String, mode: mode_t) throws(RegistryError) {
        if isDirectory(path) {
            return
        }
        let parent = parentDirectory(of: path)
        if parent != path {
            try createDirectories(parent, mode: mode)
        }
        guard mkdir(path, mode) == 0 || (errno == EEXIST && isDirectory(path)) else {
            throw lastError(path: path, operation: "create directory")
        }
    }

    /// Whether `path` names a directory (following symbolic links).
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// `lstat(2)` of `path`, or `nil` when nothing is there.
    static func status(of path: String) throws(RegistryError) -> stat? {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT {
                return nil
            }
            throw lastError(path: path, operation: "stat")
        }
        return status
    }

    /// `fsync(2)` on a directory, so that a rename or an unlink inside it survives a power loss.
    static func synchronizeDirectory(_ path: String) throws(RegistryError) {
        let directory = try open(path, flags: O_RDONLY | O_DIRECTORY)
        try performing("fsync", on: path) { () throws(SystemCallError) in try directory.synchronize() }
    }

    /// `rename(2)`: atomically replaces `destination`.
    static func rename(_ source: String, to destination: String) throws(RegistryError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw lastError(path: destination, operation: "rename \(source) to")
        }
    }

    /// `unlink(2)`; a path that is already gone is not an error.
    static func removeFile(_ path: String) throws(RegistryError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw lastError(path: path, operation: "remove")
        }
    }

    /// Takes every permission of its group and of others from the regular file at `path`,
    /// if it has any: for the files an older skillhost created before it ran with a creation
    /// mask of 077. Nothing at `path`, or a failure to change it, is left as it is.
    static func removeGroupAndOtherAccess(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_mode & 0o077 != 0 else { return }
        _ = chmod(path, status.st_mode & 0o700)
    }

    /// The directory part of `path`: `"/a/b"` for `"/a/b/c"`, `"/"` for `"/a"`, `"."` for `"a"`.
    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") {
            trimmed.removeLast()
        }
        guard let slash = trimmed.lastIndex(of: "/") else {
            return "."
        }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
