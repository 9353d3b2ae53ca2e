import Foundation
import Glibc
import ServiceManager
import Synchronization
import Testing

/// A service manager's notification socket as the test binds it: a real Unix datagram socket,
/// at a path or under an abstract name.
private final class DatagramReceiver {
    let descriptor: Int32
    let path: String?

    /// Binds at `path`, or at the abstract `name` when `path` is nil.
    init(path: String?, abstractName: String? = nil) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        try #require(descriptor >= 0)
        self.path = path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = path.map { Array($0.utf8) + [0] } ?? ([0] + Array(abstractName!.utf8))
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count - (path == nil ? 0 : 1))
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        try #require(bound == 0, "bind: errno \(errno)")
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// The next datagram, waiting up to `milliseconds`; nil when none came.
    func next(within milliseconds: Int32 = 5000) -> String? {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// Every datagram waiting now.
    func drain() -> [String] {
        var all: [String] = []
        while let message = next(within: 0) { all.append(message) }
        return all
    }
}

@Suite("The service manager's protocols against real sockets and this process's environment", .serialized)
struct ServiceManagerTests {
    private func temporaryPath(_ name: String) -> String {
        "/tmp/smt-\(getpid())-\(name)"
    }

    @Test("reports are NAME=value lines in one datagram, the state change first, to a path or an abstract name")
    func reports() throws {
        let receiver = try DatagramReceiver(path: temporaryPath("notify.sock"))
        let notifier = ServiceNotifier(socketAddress: receiver.path, watchdogTimeout: nil)
        try notifier.ready(status: "serving 2 models")
        #expect(receiver.next() == "READY=1\nSTATUS=serving 2 models\n")
        try notifier.status("starting:\nthe registry")
        #expect(receiver.next() == "STATUS=starting: the registry\n", "a newline would start a line of its own")
        try notifier.stopping(status: "stopping")
        #expect(receiver.next() == "STOPPING=1\nSTATUS=stopping\n")
        try notifier.keepAlive()
        #expect(receiver.next() == "WATCHDOG=1\n")

        var before = timespec()
        clock_gettime(CLOCK_MONOTONIC, &before)
        try notifier.reloading()
        let reloading = try #require(receiver.next())
        let lines = reloading.split(separator: "\n")
        #expect(lines.first == "RELOADING=1" && lines.last == "STATUS=reloading the configuration", "\(reloading)")
        let monotonic = try #require(lines.first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { Int64($0.dropFirst(15)) })
        let beforeMicroseconds = Int64(before.tv_sec) * 1_000_000 + Int64(before.tv_nsec) / 1000
        #expect(monotonic >= beforeMicroseconds && monotonic - beforeMicroseconds < 5_000_000, "CLOCK_MONOTONIC, in µs")

        let name = "smt-\(getpid())-abstract"
        let abstract = try DatagramReceiver(path: nil, abstractName: name)
        try ServiceNotifier(socketAddress: "@" + name, watchdogTimeout: nil).ready(status: "abstract")
        #expect(abstract.next() == "READY=1\nSTATUS=abstract\n")
    }

    @Test("without NOTIFY_SOCKET reports are dropped; to a socket that is gone they fail with the system's error")
    func missingSockets() throws {
        try ServiceNotifier.disconnected.ready(status: "nobody listens")
        let gone = ServiceNotifier(socketAddress: temporaryPath("gone.sock"), watchdogTimeout: nil)
        #expect(throws: (any Error).self) { try gone.ready(status: "lost") }
    }

    @Test("take() reads NOTIFY_SOCKET and the watchdog for this process only, and removes the variables")
    func takingTheNotifier() {
        let pid = getpid()
        for name in ServiceNotifier.environmentVariables { setenv(name, "set", 1) }
        let watched = ServiceNotifier.take(environment: ["NOTIFY_SOCKET": "@manager", "WATCHDOG_USEC": "2000000",
                                                         "WATCHDOG_PID": "\(pid)"])
        #expect(watched.socketAddress == "@manager")
        #expect(watched.watchdogTimeout == .seconds(2))
        #expect(watched.watchdogIgnored == nil)
        #expect(ServiceNotifier.environmentVariables.allSatisfy { getenv($0) == nil }, "the variables are removed")

        let otherProcess = ServiceNotifier.take(environment: ["NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "2000000",
                                                              "WATCHDOG_PID": "\(pid + 1)"])
        #expect(otherProcess.watchdogTimeout == nil)
        #expect(otherProcess.watchdogIgnored?.contains("WATCHDOG_PID=\(pid + 1)") == true)
        let malformed = ServiceNotifier.take(environment: ["NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "soon"])
        #expect(malformed.watchdogTimeout == nil && malformed.watchdogIgnored?.contains("WATCHDOG_USEC=soon") == true)
        #expect(ServiceNotifier.take(environment: [:]).socketAddress == nil)
    }

    @Test("take() passes over descriptors meant for another process, refuses malformed variables, and removes them")
    func takingTheSockets() throws {
        for name in SocketActivation.environmentVariables { setenv(name, "set", 1) }
        let other = try SocketActivation.take(environment: ["LISTEN_FDS": "1", "LISTEN_PID": "\(getpid() + 1)"])
        #expect(other == SocketActivation.Handover(descriptors: [], meantForProcess: getpid() + 1))
        #expect(SocketActivation.environmentVariables.allSatisfy { getenv($0) == nil }, "the variables are removed")
        #expect(try SocketActivation.take(environment: [:]) == .notActivated)
        #expect(try SocketActivation.take(environment: ["LISTEN_FDS": "0", "LISTEN_PID": "\(getpid())"]).descriptors.isEmpty)
        #expect(throws: SocketActivationError.self) {
            try SocketActivation.take(environment: ["LISTEN_FDS": "two", "LISTEN_PID": "\(getpid())"])
        }
        #expect(throws: SocketActivationError.self) {
            try SocketActivation.take(environment: ["LISTEN_FDS": "0", "LISTEN_PID": "\(getpid())", "LISTEN_FDNAMES": "rpc"])
        }
    }

    @Test("the watchdog sends a keep-alive every half of its timeout while the check passes, and none while it fails")
    func watchdog() async throws {
        let receiver = try DatagramReceiver(path: temporaryPath("watchdog.sock"))
        let notifier = ServiceNotifier(socketAddress: receiver.path, watchdogTimeout: .milliseconds(500))
        let problem = Mutex<String?>(nil)
        let events = Mutex<[ServiceWatchdog.Event]>([])
        let started = ServiceWatchdog.start(notifier: notifier, check: { problem.withLock { $0 } },
                                            report: { event in events.withLock { $0.append(event) } })
        let task = try #require(started)
        // One at once, then one per 250 ms; the concurrency pool this runs on is shared with
        // other tests, so a late one is allowed (the end-to-end test checks the cadence).
        try await Task.sleep(for: .milliseconds(1000))
        let healthy = receiver.drain()
        #expect((2...6).contains(healthy.count), "\(healthy.count) keep-alives in 1 s at one per 250 ms")
        #expect(healthy.allSatisfy { $0 == "WATCHDOG=1\n" })

        problem.withLock { $0 = "the server no longer accepts connections" }
        try await Task.sleep(for: .milliseconds(300))
        _ = receiver.drain()
        try await Task.sleep(for: .milliseconds(600))
        #expect(receiver.drain().isEmpty, "no keep-alive while the check fails")

        problem.withLock { $0 = nil }
        try await Task.sleep(for: .milliseconds(600))
        #expect(!receiver.drain().isEmpty, "keep-alives go on once it passes again")
        task.cancel()
        #expect(events.withLock { $0 } == [.unhealthy("the server no longer accepts connections"), .healthy])

        let unwatched = ServiceWatchdog.start(notifier: ServiceNotifier(socketAddress: receiver.path, watchdogTimeout: nil),
                                              check: { nil }, report: { _ in })
        #expect(unwatched == nil, "no watchdog, no task")
    }
}
