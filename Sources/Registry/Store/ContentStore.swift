import Foundation
import Glibc
import SystemCalls

/// Skill files stored by content: each at `<directory>/sha256/<hex>.so`, written once,
/// atomically, and read-only and private to the daemon's user (0400) afterwards.
///
/// The store is a value holding only its paths; every operation is a short sequence of system
/// calls that is safe to run from several threads at once (a file only ever appears complete,
/// through `rename(2)`).
public struct ContentStore: Sendable {
    /// The largest skill file the store accepts: 256 MiB.
    public static let maximumFileSize: Int64 = 256 << 20

    /// Permissions of the store's directories.
    static let directoryMode: mode_t = 0o700
    /// Permissions of a stored file.
    static let fileMode: mode_t = 0o400
    private static let chunkSize = 1 << 20

    /// The store's root, such as `<data>/skills`.
    public let directory: String

    /// The directory that holds the files, named after the hash that names them.
    public var filesDirectory: String {
        directory + "/sha256"
    }

    /// Opens the store at `directory`, creating it (0700) if needed; files stored by an older
    /// skillhost with 0444 are made private (0400).
    public init(directory: String) throws(RegistryError) {
        self.directory = directory
        try FileSystem.createDirectories(filesDirectory, mode: Self.directoryMode)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: filesDirectory)) ?? [] where name.hasSuffix(".so") {
            FileSystem.removeGroupAndOtherAccess(filesDirectory + "/" + name)
        }
    }

    /// The path of the file whose content hashes to `sha256`, whether or not it is stored.
    ///
    /// - Throws: ``RegistryError/invalidSHA256(_:)`` unless `sha256` is 64 lowercase hexadecimal
    ///   digits, so no path is ever built from unchecked text.
    public func path(forSHA256 sha256: String) throws(RegistryError) -> String {
        guard SHA256.isValidHex(sha256) else {
            throw .invalidSHA256(sha256)
        }
        return "\(filesDirectory)/\(sha256).so"
    }

    /// Whether the file with content hash `sha256` is stored.
    public func contains(sha256: String) throws(RegistryError) -> Bool {
        try FileSystem.status(of: path(forSHA256: sha256)) != nil
    }

    /// Copies the file at `sourcePath` into the store.
    ///
    /// The source is read twice, streaming: once to hash it, and, only when the store does not
    /// hold that content yet, once more to copy it into a temporary file in the store, which is
    /// then synced, made read-only and renamed into place, and the directory synced. Storing the
    /// same content again rewrites nothing.
    ///
    /// - Throws: ``RegistryError/fileTooLarge(path:size:limit:)`` above
    ///   ``maximumFileSize``, ``RegistryError/notARegularFile(path:)``,
    ///   ``RegistryError/fileChangedWhileStoring(path:)``, or ``RegistryError/io(path:operation:reason:)``.
    public func store(contentsOf sourcePath: String) throws(RegistryError) -> StoredFile {
        let (sha256, size) = try Self.hash(fileAt: sourcePath) { _ in }
        let finalPath = try path(forSHA256: sha256)
        if let existing = try FileSystem.status(of: finalPath),
           (existing.st_mode & S_IFMT) == S_IFREG, Int64(existing.st_size) == size {
            return StoredFile(sha256: sha256, size: size, path: finalPath)
        }

        let temporaryPath = try makeTemporaryFile()
        do throws(RegistryError) {
            let copied: (sha256: String, size: Int64)
            do {
                let temporary = try FileSystem.open(temporaryPath, flags: O_WRONLY | O_TRUNC)
                copied = try Self.hash(fileAt: sourcePath) { (chunk) throws(RegistryError) in
                    try FileSystem.performing("write", on: temporaryPath) { () throws(SystemCallError) in
                        try temporary.writeAll(chunk)
                    }
                }
                try FileSystem.performing("fsync", on: temporaryPath) { () throws(SystemCallError) in try temporary.synchronize() }
                try FileSystem.performing("chmod", on: temporaryPath) { () throws(SystemCallError) in
                    try temporary.setPermissions(Self.fileMode)
                }
            }
            guard copied.sha256 == sha256, copied.size == size else {
                throw .fileChangedWhileStoring(path: sourcePath)
            }
            try FileSystem.rename(temporaryPath, to: finalPath)
        } catch {
            try? FileSystem.removeFile(temporaryPath)
            throw error
        }
        try FileSystem.synchronizeDirectory(filesDirectory)
        return StoredFile(sha256: sha256, size: size, path: finalPath)
    }

    /// Removes the file with content hash `sha256`; removing a file that is not stored does
    /// nothing.
    public func remove(sha256: String) throws(RegistryError) {
        try FileSystem.removeFile(path(forSHA256: sha256))
        try FileSystem.synchronizeDirectory(filesDirectory)
    }

    /// Creates an empty, uniquely named, hidden file in the files directory and returns its path.
    private func makeTemporaryFile() throws(RegistryError) -> String {
        var template = Array("\(filesDirectory)/.incoming-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw FileSystem.lastError(path: filesDirectory, operation: "create a temporary file in")
        }
        Glibc.close(descriptor)
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Reads the regular file at `path` to its end in chunks, hashing every chunk and handing it
    /// to `consume`.
    private static func hash(
        fileAt path: String, consume: (UnsafeRawBufferPointer) throws(RegistryError) -> Void
    ) throws(RegistryError) -> (sha256: String, size: Int64) {
        let source = try FileSystem.open(path, flags: O_RDONLY)
        let status = try FileSystem.performing("stat", on: path) { () throws(SystemCallError) in try source.status() }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .notARegularFile(path: path)
        }
        guard Int64(status.st_size) <= maximumFileSize else {
            throw .fileTooLarge(path: path, size: Int64(status.st_size), limit: maximumFileSize)
        }
        var hasher = SHA256()
        var total: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try FileSystem.performing("read", on: path) { () throws(SystemCallError) in
                try source.read(into: buffer)
            }
            if count == 0 {
                break
            }
            total += Int64(count)
            guard total <= maximumFileSize else {
                throw .fileTooLarge(path: path, size: total, limit: maximumFileSize)
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            hasher.update(chunk)
            try consume(chunk)
        }
        return (hasher.finalizeHex(), total)
    }
}
