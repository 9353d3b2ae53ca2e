import CSystemShims
import Glibc

/// An error number, as a system call leaves it in `errno` when it fails.
///
/// A value, not the thread's `errno` itself: ``current`` copies it, and the layer's calls do so
/// on the line after the failing call, before anything else (a release that frees memory, a
/// log line) can overwrite it. Compare with the named values (`error.errno == .interrupted`);
/// ``description`` is the system's sentence for it and ``name`` its symbol.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    /// The C error number, such as `ENOENT`.
    public let rawValue: Int32

    /// The error number `rawValue`.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The calling thread's `errno` now. Read it straight after the call that failed.
    public static var current: Errno {
        Errno(rawValue: Glibc.errno)
    }

    /// What `strerror(3)` says, such as "No such file or directory".
    public var description: String {
        String(cString: strerror(rawValue))
    }

    /// The symbol, such as "ENOENT"; "errno 4242" for a number the system does not name.
    public var name: String {
        cshim_errno_name(rawValue).map { String(cString: $0) } ?? "errno \(rawValue)"
    }

    /// ``description``, followed by ``remedy`` when there is one: "Permission denied: check the
    /// permissions of the file and of the directories above it".
    public var explanation: String {
        remedy.map { "\(description): \($0)" } ?? description
    }

    /// What the person who runs the program can do about this error, when there is something
    /// more to say than ``description``.
    public var remedy: String? {
        switch self {
        case .permissionDenied, .notPermitted:
            "check the permissions of the file and of the directories above it"
        case .tooManyOpenFiles:
            "the process has too many open files: raise its limit (ulimit -n)"
        case .tooManyOpenFilesInSystem:
            "the system has too many open files: raise fs.file-max or close some programs"
        case .noSpace:
            "free some space on the file system"
        case .readOnlyFileSystem:
            "the file system is mounted read-only: choose a path on a writable one"
        case .outOfMemory, .noBufferSpace:
            "the system is short of memory: free some, or raise the process's memory limit"
        default:
            nil
        }
    }
}

extension Errno {
    /// `EINTR`: a signal arrived before the call could finish; the layer's calls retry it.
    public static let interrupted = Errno(rawValue: EINTR)
    /// `EAGAIN`, also spelled `EWOULDBLOCK`: a non-blocking call would have had to wait.
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    /// `ENOENT`: no such file or directory.
    public static let noSuchFileOrDirectory = Errno(rawValue: ENOENT)
    /// `ENOTDIR`: a part of the path is not a directory.
    public static let notADirectory = Errno(rawValue: ENOTDIR)
    /// `EEXIST`: the file exists.
    public static let fileExists = Errno(rawValue: EEXIST)
    /// `EPIPE`: the other end of the pipe or socket is closed.
    public static let brokenPipe = Errno(rawValue: EPIPE)
    /// `EINVAL`: an argument is not valid (also what `accept` says once the socket is shut down).
    public static let invalidArgument = Errno(rawValue: EINVAL)
    /// `EBADF`: the number is not an open file descriptor (or not open for this use).
    public static let badFileDescriptor = Errno(rawValue: EBADF)
    /// `ENOTSOCK`: the descriptor is not a socket (another file took a socket's number).
    public static let notASocket = Errno(rawValue: ENOTSOCK)
    /// `EACCES`: permission denied by the file's mode.
    public static let permissionDenied = Errno(rawValue: EACCES)
    /// `EPERM`: the operation is not permitted to this process.
    public static let notPermitted = Errno(rawValue: EPERM)
    /// `EMFILE`: the process has as many open files as its limit allows.
    public static let tooManyOpenFiles = Errno(rawValue: EMFILE)
    /// `ENFILE`: the system has as many open files as it allows.
    public static let tooManyOpenFilesInSystem = Errno(rawValue: ENFILE)
    /// `ENOSPC`: no space left on the device.
    public static let noSpace = Errno(rawValue: ENOSPC)
    /// `EROFS`: the file system is read-only.
    public static let readOnlyFileSystem = Errno(rawValue: EROFS)
    /// `ENOMEM`: out of memory.
    public static let outOfMemory = Errno(rawValue: ENOMEM)
    /// `ENOBUFS`: no buffer space for the socket.
    public static let noBufferSpace = Errno(rawValue: ENOBUFS)
    /// `ECONNREFUSED`: nothing listens at the address.
    public static let connectionRefused = Errno(rawValue: ECONNREFUSED)
    /// `ECONNRESET`: the peer reset the connection.
    public static let connectionReset = Errno(rawValue: ECONNRESET)
    /// `EINPROGRESS`: a non-blocking connect goes on in the background.
    public static let inProgress = Errno(rawValue: EINPROGRESS)
    /// `EALREADY`: a connect on this socket is already under way.
    public static let alreadyInProgress = Errno(rawValue: EALREADY)
    /// `ECHILD`: no such child process to wait for.
    public static let noChildProcess = Errno(rawValue: ECHILD)
}
