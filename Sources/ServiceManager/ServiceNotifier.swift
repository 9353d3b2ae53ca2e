import Glibc
import SystemCalls

/// Tells the service manager what state the process is in, by the protocol of `sd_notify(3)`:
/// one datagram of `NAME=value` lines per report, to the Unix socket `NOTIFY_SOCKET` names (a
/// path, or `@name` for an abstract one). With no such socket every report is dropped, so
/// callers report whether or not a service manager listens.
///
/// The reports, for a unit of `Type=notify`:
/// - ``status(_:)``: a line `systemctl status` shows (`STATUS=`).
/// - ``ready(status:)``: start-up (or a reload) is complete and clients are served (`READY=1`).
/// - ``reloading(status:)``: the configuration is being reloaded (`RELOADING=1` with
///   `MONOTONIC_USEC=`, the time it began), to be followed by ``ready(status:)``.
/// - ``stopping(status:)``: the shutdown has begun (`STOPPING=1`).
/// - ``keepAlive()``: the watchdog's keep-alive (`WATCHDOG=1`), which must come at least every
///   ``watchdogTimeout``; ``ServiceWatchdog`` sends it.
///
/// Each report opens a socket of its own and closes it ("no descriptor kept", as
/// ``UnixDatagram`` explains), so reports may come from any thread.
public final class ServiceNotifier: Sendable {
    /// The protocol's variables, which ``take(environment:)`` removes from the environment.
    public static let environmentVariables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]

    /// The service manager's socket; nil when there is none and reports are dropped.
    public let socketAddress: String?
    /// How long the service manager waits for a keep-alive before it deems the process hung
    /// (`WATCHDOG_USEC`, for this process as `WATCHDOG_PID` says); nil when it does not watch.
    public let watchdogTimeout: Duration?
    /// Why the watchdog variables were not followed, when they were set but not for this
    /// process or not readable; nil otherwise.
    public let watchdogIgnored: String?

    /// A notifier that reports to nobody.
    public static let disconnected = ServiceNotifier(socketAddress: nil, watchdogTimeout: nil)

    /// A notifier that reports to `socketAddress`, watched every `watchdogTimeout` if given.
    public init(socketAddress: String?, watchdogTimeout: Duration?, watchdogIgnored: String? = nil) {
        self.socketAddress = socketAddress.flatMap { $0.isEmpty ? nil : $0 }
        self.watchdogTimeout = watchdogTimeout
        self.watchdogIgnored = watchdogIgnored
    }

    /// The notifier `environment` (this process's, as it started) describes, with the
    /// protocol's variables removed from the environment, so that no process started later
    /// reports in this one's name (`sd_notify`'s `unset_environment`). Call it before the
    /// process starts a thread: it changes the environment.
    public static func take(environment: [String: String]) -> ServiceNotifier {
        defer { for name in environmentVariables { unsetenv(name) } }
        guard let timeoutText = environment["WATCHDOG_USEC"] else {
            return ServiceNotifier(socketAddress: environment["NOTIFY_SOCKET"], watchdogTimeout: nil)
        }
        var ignored: String?
        var timeout: Duration?
        if let pid = environment["WATCHDOG_PID"], pid_t(pid) != getpid() {
            ignored = "WATCHDOG_PID=\(pid) is not this process (\(getpid()))"
        } else if let microseconds = Int64(timeoutText), microseconds > 0 {
            timeout = .microseconds(microseconds)
        } else {
            ignored = "WATCHDOG_USEC=\(timeoutText) is not a positive number of microseconds"
        }
        return ServiceNotifier(socketAddress: environment["NOTIFY_SOCKET"], watchdogTimeout: timeout, watchdogIgnored: ignored)
    }

    /// Sends `STATUS=text`.
    public func status(_ text: String) throws(SystemCallError) {
        try send(["STATUS": text])
    }

    /// Sends `READY=1` with `STATUS=status`: clients are served, after the start or a reload.
    public func ready(status: String) throws(SystemCallError) {
        try send(["READY": "1", "STATUS": status])
    }

    /// Sends `RELOADING=1`, `MONOTONIC_USEC=` (now on `CLOCK_MONOTONIC`, which the service
    /// manager compares with its own), and `STATUS=status`. Send ``ready(status:)`` once the
    /// reload is done, whether or not it succeeded.
    public func reloading(status: String = "reloading the configuration") throws(SystemCallError) {
        try send(["RELOADING": "1", "MONOTONIC_USEC": String(Self.monotonicMicroseconds()), "STATUS": status])
    }

    /// Sends `STOPPING=1` with `STATUS=status`: the shutdown has begun.
    public func stopping(status: String) throws(SystemCallError) {
        try send(["STOPPING": "1", "STATUS": status])
    }

    /// Sends the watchdog's keep-alive, `WATCHDOG=1`.
    public func keepAlive() throws(SystemCallError) {
        try send(["WATCHDOG": "1"])
    }

    /// Sends `assignments` in one datagram, `NAME=value` a line (in the order of their names,
    /// `READY` and the like first). A newline in a value would start a line of its own, so it
    /// is sent as a space. Nothing is sent without a socket.
    /// - Throws: ``SystemCallError`` of `socket` or `sendto`, when the service manager's
    ///   socket is gone, say.
    public func send(_ assignments: [String: String]) throws(SystemCallError) {
        guard let socketAddress else { return }
        let lines = assignments.sorted { (Self.rank($0.key), $0.key) < (Self.rank($1.key), $1.key) }.map { name, value in
            name + "=" + value.replacingNewlines()
        }
        try UnixDatagram.send(Array((lines.joined(separator: "\n") + "\n").utf8), to: socketAddress)
    }

    /// 0 for the state changes, which lead the datagram, 1 for the rest.
    private static func rank(_ name: String) -> Int {
        ["READY", "RELOADING", "STOPPING", "WATCHDOG"].contains(name) ? 0 : 1
    }

    /// `CLOCK_MONOTONIC` now, in microseconds.
    private static func monotonicMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}

extension String {
    /// The string with every line break (`\n`, `\r`) written as a space.
    fileprivate func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
