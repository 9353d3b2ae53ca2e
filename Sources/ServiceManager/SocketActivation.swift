import Glibc
import SystemCalls

/// The sockets a service manager (systemd, or `systemd-socket-activate`) passed this process
/// when it started it, by the protocol of `sd_listen_fds(3)`: descriptors 3, 4, ... as many as
/// `LISTEN_FDS` says, meant for the process `LISTEN_PID` names, with the names of
/// `LISTEN_FDNAMES` (a socket unit's `FileDescriptorName=`, colon-separated).
///
/// ``take(environment:)`` follows `sd_listen_fds(1)`: it removes the three variables from the
/// environment, so that no process started later believes the descriptors are its own, and
/// makes every descriptor close-on-exec, so that no program started later inherits one.
public enum SocketActivation {
    /// The protocol's variables, which ``take(environment:)`` removes from the environment.
    public static let environmentVariables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]
    /// The first descriptor passed (`SD_LISTEN_FDS_START`).
    public static let firstDescriptor: Int32 = 3

    /// One descriptor passed.
    public struct PassedDescriptor: Sendable, Equatable {
        /// Its number.
        public var descriptor: Int32
        /// Its name from `LISTEN_FDNAMES`; nil when the service manager gave none.
        public var name: String?

        /// The descriptor `descriptor`, named `name`.
        public init(descriptor: Int32, name: String?) {
            self.descriptor = descriptor
            self.name = name
        }
    }

    /// What the service manager passed.
    public struct Handover: Sendable, Equatable {
        /// The descriptors passed to this process, in order; empty when none were.
        public var descriptors: [PassedDescriptor]
        /// When `LISTEN_FDS` was set for another process: the pid `LISTEN_PID` names (0 when
        /// it names none), and the descriptors were not taken.
        public var meantForProcess: pid_t?

        /// What a service manager passed: `descriptors`, or none when they were `meantForProcess`.
        public init(descriptors: [PassedDescriptor], meantForProcess: pid_t?) {
            self.descriptors = descriptors
            self.meantForProcess = meantForProcess
        }

        /// Nothing passed: the process was not started by socket activation.
        public static let notActivated = Handover(descriptors: [], meantForProcess: nil)
    }

    /// Takes the descriptors `environment` (this process's, as it started) says were passed
    /// to this process; see the type's documentation. Call it before the process starts a
    /// thread: it changes the environment.
    /// - Throws: ``SocketActivationError`` when the variables are malformed or name a
    ///   descriptor that is not open.
    public static func take(environment: [String: String]) throws(SocketActivationError) -> Handover {
        defer { for name in environmentVariables { unsetenv(name) } }
        guard let count = environment["LISTEN_FDS"] else { return .notActivated }
        guard let pid = environment["LISTEN_PID"].flatMap({ pid_t($0) }), pid == getpid() else {
            return Handover(descriptors: [], meantForProcess: environment["LISTEN_PID"].flatMap { pid_t($0) } ?? 0)
        }
        guard let number = Int32(count), number >= 0, number <= Int32.max - firstDescriptor else {
            throw .malformed(variable: "LISTEN_FDS", value: count, expectation: "a number of descriptors")
        }
        let names = environment["LISTEN_FDNAMES"].map { $0.split(separator: ":", omittingEmptySubsequences: false) }
        if let names, names.count != Int(number) {
            throw .malformed(variable: "LISTEN_FDNAMES", value: environment["LISTEN_FDNAMES"] ?? "",
                             expectation: "\(number) names separated by colons, one per descriptor of LISTEN_FDS")
        }
        var descriptors: [PassedDescriptor] = []
        for index in 0..<number {
            let descriptor = firstDescriptor + index
            do throws(SystemCallError) {
                try SocketInspection.setCloseOnExec(descriptor)
            } catch {
                throw .descriptorNotOpen(descriptor: descriptor, error)
            }
            descriptors.append(PassedDescriptor(descriptor: descriptor, name: names.map { String($0[Int(index)]) }))
        }
        return Handover(descriptors: descriptors, meantForProcess: nil)
    }
}
