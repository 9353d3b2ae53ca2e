import Glibc

/// Whether a client could read a file itself, for requests that have the daemon read a file
/// on a client's behalf (a skill to install, a batch's input): the daemon must not become a
/// way to read other users' files.
///
/// The file's owner, group and mode bits are compared with the caller's uid and primary gid
/// (from `SO_PEERCRED`); the daemon's own user and root pass. It is an approximation (no
/// directory search bits, supplementary groups or ACLs, and the file is opened again
/// afterwards): while the socket is 0600, only the daemon's own user and root can call, so
/// it refuses no one today. A daemon shared between users must receive the open file from
/// the client instead (`SCM_RIGHTS`), so that the kernel does the check.
struct CallerFileAccess {
    /// Why a path is not a file the caller may have read.
    enum Refusal: Error, Equatable {
        /// There is nothing at the path.
        case missing
        /// `stat` failed for another reason, which this says.
        case unreachable(reason: String)
        /// The path names a directory, a device, a socket...
        case notRegularFile
        /// The caller may not read the file.
        case notReadable
    }

    /// The caller's uid.
    var uid: UInt32
    /// The caller's primary gid.
    var gid: UInt32

    /// Checks that `path` is a regular file that the caller may read.
    func check(_ path: String) throws(Refusal) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { throw .missing }
            throw .unreachable(reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile }
        guard uid != 0, uid != getuid() else { return }
        let readable = status.st_uid == uid
            ? status.st_mode & S_IRUSR != 0
            : status.st_gid == gid ? status.st_mode & S_IRGRP != 0 : status.st_mode & S_IROTH != 0
        guard readable else { throw .notReadable }
    }
}
