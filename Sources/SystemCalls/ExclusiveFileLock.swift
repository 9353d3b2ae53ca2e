import Glibc
import Synchronization

/// An exclusive `flock(2)` on a file that says who holds it: taken without waiting, held for
/// as long as this object lives, and released by ``release()``, by the object's end, or by the
/// kernel when the process ends, however it ends. The file holds the holder's note (its pid,
/// say) for the processes the lock refuses to read.
///
/// The file is opened close-on-exec, so a program the process executes never inherits the
/// lock. It is never unlinked: unlinking it while locked would let two later processes lock
/// two different files of the same name.
package final class ExclusiveFileLock: Sendable {
    /// Why the lock was not taken.
    package enum Failure: Error, Equatable, Sendable {
        /// Another open file description holds it (another process, most likely); its note,
        /// one line per element, as the holder wrote it (empty if it wrote none yet).
        case held(note: [String])
        /// The file could not be opened or locked.
        case systemCall(SystemCallError)
    }

    /// The lock file's path.
    package let path: String
    private let file: FileDescriptor
    private let isReleased = Atomic<Bool>(false)

    /// The most bytes of a holder's note that are read back.
    private static let noteLimit = 4096

    /// Creates `path` if needed (mode 0600), locks it, and writes `note`, one line per element,
    /// in place of what an earlier holder wrote.
    /// - Throws: ``Failure/held(note:)`` with the holder's note when another holds it.
    package init(path: String, note: [String]) throws(Failure) {
        let file = try Self.open(path)
        do throws(SystemCallError) {
            try retryingOnInterrupt("flock", path: path) { flock(file.rawValue, LOCK_EX | LOCK_NB) }
        } catch {
            guard error.errno == .wouldBlock else { throw .systemCall(error) }
            throw .held(note: Self.note(in: file))
        }
        // Written before the old text is cut off, so that a reader never finds the file empty.
        let text = Array(note.map { $0 + "\n" }.joined().utf8)
        _ = text.withUnsafeBytes { pwrite(file.rawValue, $0.baseAddress, $0.count, 0) }
        _ = ftruncate(file.rawValue, off_t(text.count))
        self.path = path
        self.file = file
    }

    /// The lock's descriptor as it was opened, for a watcher to check that nothing in the
    /// process closed or replaced it; nil when `fstat` fails.
    package var descriptorIdentity: DescriptorIdentity? {
        try? DescriptorIdentity(of: file.rawValue, role: "the lock file \(path)")
    }

    /// Releases the lock now, if it is still held; the file stays open until the object's end.
    package func release() {
        guard !isReleased.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = try? retryingOnInterrupt("flock", path: path) { flock(file.rawValue, LOCK_UN) }
    }

    /// Opens (or creates, 0600) the lock file at `path`.
    private static func open(_ path: String) throws(Failure) -> FileDescriptor {
        do throws(SystemCallError) {
            return try FileDescriptor.open(path, flags: O_RDWR | O_CREAT, permissions: 0o600)
        } catch {
            throw .systemCall(error)
        }
    }

    /// The lines of the note in `file`; empty when it cannot be read.
    private static func note(in file: borrowing FileDescriptor) -> [String] {
        var bytes = [UInt8](repeating: 0, count: noteLimit)
        let count = bytes.withUnsafeMutableBytes { pread(file.rawValue, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return [] }
        return String(decoding: bytes[..<count], as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
