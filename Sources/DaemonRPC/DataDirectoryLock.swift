import Glibc
import Registry
import SkillDaemon
import SystemCalls

/// What keeps a data directory to one daemon: an exclusive `flock` on `skillhostd.lock` in it,
/// taken before the registry is opened, whose file holds the daemon's pid and then its
/// socket's path, one a line. A second daemon on the same directory is refused with both,
/// and exits with `DaemonExitStatus.dataDirectoryInUse` (75).
///
/// The lock is held until the daemon's process ends, however it ends: the kernel releases
/// it. Its descriptor is close-on-exec, so no worker inherits it (the worker spawn closes
/// every descriptor it does not hand over, too).
enum DataDirectoryLock {
    /// The lock file's name in the data directory.
    static let fileName = "skillhostd.lock"

    /// Creates `dataDirectory` if needed and takes its lock for a daemon serving `socketPath`.
    /// - Throws: ``DaemonError`` naming the daemon that holds it, or what failed.
    static func acquire(dataDirectory: String, socketPath: String) throws(DaemonError) -> ExclusiveFileLock {
        do {
            try Registry.createDataDirectory(dataDirectory)
        } catch {
            throw DaemonError("cannot create the data directory: \(error)")
        }
        let path = dataDirectory + "/" + fileName
        do throws(ExclusiveFileLock.Failure) {
            return try ExclusiveFileLock(path: path, note: ["\(getpid())", socketPath])
        } catch {
            switch error {
            case let .held(note):
                let pid = note.first.map { "pid \($0)" } ?? "its pid not yet written"
                let socket = note.dropFirst().first.map { ", serving \($0)" } ?? ""
                throw DaemonError(
                    "another skillhostd (\(pid)\(socket)) already uses the data directory \(dataDirectory), as its lock "
                        + "\(path) says: stop it first, or pass --data-dir with another directory",
                    exitStatus: .dataDirectoryInUse)
            case let .systemCall(failure):
                throw DaemonError("cannot lock the data directory: \(failure)")
            }
        }
    }
}
