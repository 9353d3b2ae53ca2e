import Foundation
import Glibc

/// Where skillhostd listens and skillctl connects, when nobody says otherwise. Both use
/// this, so they agree.
public enum SkillhostSocketPath {
    /// The environment variable that names the socket: `SKILLHOST_SOCKET`.
    public static let environmentVariable = "SKILLHOST_SOCKET"

    /// The socket path: `explicit` (from `--socket`) if given, else ``default(environment:userID:)``.
    public static func resolve(explicit: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        return `default`(environment: environment)
    }

    /// The socket path when none is given on the command line: `$SKILLHOST_SOCKET` if set,
    /// else `$XDG_RUNTIME_DIR/skillhost/skillhostd.sock` if `XDG_RUNTIME_DIR` is an absolute
    /// path, else `/tmp/skillhost-<uid>/skillhostd.sock`.
    public static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 userID: UInt32 = getuid()) -> String {
        if let path = environment[environmentVariable], !path.isEmpty { return path }
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return runtime + (runtime.hasSuffix("/") ? "" : "/") + "skillhost/skillhostd.sock"
        }
        return "/tmp/skillhost-\(userID)/skillhostd.sock"
    }
}
