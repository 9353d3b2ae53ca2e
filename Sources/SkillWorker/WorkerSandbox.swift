import CSystemShims
import Glibc
import SkillhostModel
import SystemCalls
import WorkerProtocol

/// The worker's own part of its sandbox (docs/SECURITY.md), set up on its main thread
/// before any other thread exists and before any skill code is loaded.
///
/// The daemon started the worker in new namespaces (``WorkerSandboxOptions/namespaces``),
/// as uid 0 of its user namespace: every capability, but only over its namespaces. The
/// worker then, in this order,
/// 1. copies the skill file out of descriptor 4 and makes its root a new tmpfs holding only
///    ``FileSystemView``'s entries (the old root is detached, so nothing else is reachable),
/// 2. drops every capability for good, sets `no_new_privs`,
/// 3. enters a Landlock domain of the view's paths (no TCP without the network grant, no
///    signal or abstract socket outside), installs the seccomp filter,
/// 4. sets `RLIMIT_NPROC` (counted in its user namespace: its own processes and threads).
///
/// A step the kernel refuses leaves its layer missing with the reason, and the worker goes
/// on without it, unless ``WorkerSandboxOptions/required`` says to stop.
enum WorkerSandbox {
    /// The directory of the view that holds the copy of the skill file.
    static let skillDirectory = "/skill"

    /// What the set-up achieved.
    struct Outcome {
        /// Every layer's state, for the daemon.
        var report: SandboxReport
        /// Where the skill file is in the view; nil: at the daemon's path (no view).
        var skillPath: String?
        /// Whether the worker is pid 1 of a PID namespace of its own, so that signalling
        /// every other process in it reaches exactly the skill's children.
        var ownsPIDNamespace: Bool
        /// The CPU seconds one run may use; nil: no limit.
        var cpuSecondsPerRun: Int?

        /// `message` with the view's path of the skill file replaced by `path`, the daemon's,
        /// which is the one the operator knows (and typed, at install).
        func namingTheDaemonsPath(_ path: String, in message: String) -> String {
            guard let skillPath else { return message }
            return message.replacing(skillPath, with: path)
        }
    }

    /// Sets the sandbox up; a message when a step fails and `options.required` says that
    /// a missing layer ends the worker.
    static func enter(_ options: WorkerSandboxOptions) -> Result<Outcome, SetupFailure> {
        guard options.enabled else {
            let off = SandboxLayer.allCases.map { SandboxReport.Entry(layer: $0, active: false, detail: "the sandbox is off") }
            return .success(Outcome(report: SandboxReport(entries: off), skillPath: nil, ownsPIDNamespace: false,
                                    cpuSecondsPerRun: nil))
        }
        var entries: [SandboxReport.Entry] = []
        func record(_ layer: SandboxLayer, _ active: Bool, _ detail: String) {
            entries.append(SandboxReport.Entry(layer: layer, active: active, detail: detail))
        }
        let namespaces = options.namespaces
        let notCreated = "not created: the daemon could not clone into new namespaces (its log says why)"
        record(.userNamespace, namespaces.contains(.user), namespaces.contains(.user) ? "" : notCreated)
        // With the other namespaces there, the daemon left this one out on purpose: it needs
        // skillhost-worker-init as pid 1, and found none next to the worker executable.
        let noInit = "not created: skillhost-worker-init is not next to the worker executable (install both)"
        record(.pidNamespace, namespaces.contains(.pid),
               namespaces.contains(.pid) ? "" : namespaces.contains(.user) ? noInit : notCreated)
        record(.mountNamespace, namespaces.contains(.mount), namespaces.contains(.mount) ? "" : notCreated)
        if options.grants.network == .host {
            record(.networkNamespace, false, "the skill is granted the host's network")
        } else {
            record(.networkNamespace, namespaces.contains(.network), namespaces.contains(.network) ? "" : notCreated)
        }
        record(.ipcNamespace, namespaces.contains(.ipc), namespaces.contains(.ipc) ? "" : notCreated)

        let outerUID = outerUserID()
        var skillPath: String?
        let view: FileSystemView
        if namespaces.contains(.mount) && namespaces.contains(.user) {
            view = FileSystemView(options: options, skillFileName: options.skillDescriptor ? skillFileName() : nil)
            switch view.enter() {
            case .success(let path):
                skillPath = path
                record(.fileSystemView, true, "")
            case .failure(let failure):
                record(.fileSystemView, false, failure.message)
            }
        } else {
            view = FileSystemView(hostPathsFor: options)
            record(.fileSystemView, false, "no mount namespace")
        }
        if options.skillDescriptor { close(FileSystemView.skillDescriptor) }

        let uid = namespaces.contains(.user) ? outerUID ?? geteuid() : geteuid()
        record(.unprivilegedUser, uid != 0, uid == 0 ? "the worker runs as root (uid 0 outside any user namespace)"
            : options.unprivilegedOuterUser ? "uid \(uid)" : "uid \(uid), the daemon's own")

        var failedCall: UnsafePointer<CChar>?
        let capabilities = cshim_sandbox_drop_capabilities(&failedCall)
        if capabilities == 0 {
            record(.noCapabilities, true, "")
        } else if geteuid() != 0 && !namespaces.contains(.user) {
            record(.noCapabilities, true, "none held: an unprivileged uid")
        } else {
            record(.noCapabilities, false, "\(failedCall.map { String(cString: $0) } ?? "capset"): \(Errno(rawValue: capabilities))")
        }

        let noNewPrivileges = cshim_sandbox_set_no_new_privileges()
        record(.noNewPrivileges, noNewPrivileges == 0, noNewPrivileges == 0 ? "" : "prctl: \(Errno(rawValue: noNewPrivileges))")

        let landlock = view.restrictWithLandlock(denyingTCP: options.grants.network == .none)
        record(.landlock, landlock.active, landlock.detail)

        let seccomp = noNewPrivileges == 0 ? cshim_seccomp_install() : EPERM
        record(.seccomp, seccomp == 0,
               seccomp == 0 ? "\(cshim_seccomp_refused_count()) calls refused" : "seccomp(SECCOMP_SET_MODE_FILTER): \(Errno(rawValue: seccomp))")

        if let limit = options.grants.processLimit {
            if namespaces.contains(.user) {
                var value = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
                let set = setrlimit(__rlimit_resource_t(__RLIMIT_NPROC.rawValue), &value) == 0
                record(.processLimit, set, set ? "\(limit) processes and threads" : "setrlimit(RLIMIT_NPROC): \(Errno.current)")
            } else {
                record(.processLimit, false, "RLIMIT_NPROC counts every process of the uid outside a user namespace")
            }
        } else {
            record(.processLimit, false, "no limit set (sandbox_process_limit 0)")
        }
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        if !namespaces.contains(.pid) {
            // Without a PID namespace, orphans of the skill's children come back to the
            // worker, which ends them after each run.
            _ = cshim_set_child_subreaper()
        }

        let report = SandboxReport(entries: entries)
        if options.required {
            // Layers a grant or a setting turns off on purpose are not missing.
            var waived: Set<SandboxLayer> = []
            if options.grants.network == .host { waived.insert(.networkNamespace) }
            if options.grants.processLimit == nil { waived.insert(.processLimit) }
            let missing = report.missing.filter { !waived.contains($0.layer) }
            if !missing.isEmpty {
                return .failure(SetupFailure(message: "the sandbox is required (sandbox_required) but "
                        + missing.map { "\($0.layer.rawValue) is missing: \($0.detail)" }.joined(separator: "; ")))
            }
        }
        return .success(Outcome(report: report, skillPath: skillPath, ownsPIDNamespace: namespaces.contains(.pid),
                                cpuSecondsPerRun: options.grants.cpuSecondsPerRun))
    }

    /// A set-up step that failed where the sandbox is required.
    struct SetupFailure: Error {
        let message: String
    }

    /// The uid outside the user namespace that uid 0 maps to, from `/proc/self/uid_map`.
    private static func outerUserID() -> uid_t? {
        guard let bytes = try? FileDescriptor.contents(ofFile: "/proc/self/uid_map", upTo: 4096) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2, fields[0] == "0" else { return nil }
        return uid_t(fields[1])
    }

    /// The file name of the skill file on descriptor 4, from its `/proc` link.
    private static func skillFileName() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let length = readlink("/proc/self/fd/\(FileSystemView.skillDescriptor)", &buffer, buffer.count - 1)
        guard length > 0 else { return "skill.so" }
        let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let name = path.split(separator: "/").last.map(String.init) ?? "skill.so"
        return name.hasSuffix(" (deleted)") ? String(name.dropLast(10)) : name
    }

    // MARK: Around each run

    /// Before a run: its CPU time limit, as the soft `RLIMIT_CPU` of the process (the CPU
    /// time used so far plus the run's allowance). The kernel sends SIGXCPU beyond it.
    static func beginRun(_ outcome: Outcome) {
        guard let seconds = outcome.cpuSecondsPerRun else { return }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let used = Int(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + 1
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &limit)
        limit.rlim_cur = min(rlim_t(used + seconds), limit.rlim_max)
        setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &limit)
    }

    /// After a run: every process the skill started is killed and reaped, so none outlives
    /// its run. As pid 1 of its PID namespace the worker signals every other process in it;
    /// otherwise it kills its children, to which the orphans of theirs came back.
    static func endRun(_ outcome: Outcome) {
        if outcome.ownsPIDNamespace {
            _ = kill(-1, SIGKILL)
        } else {
            while case let children = childProcesses(), !children.isEmpty {
                for child in children { _ = kill(child, SIGKILL) }
                for child in children { waitIgnoringInterrupts(child) }
            }
        }
        while true {
            var status: Int32 = 0
            let reaped = waitpid(-1, &status, __WALL)
            if reaped < 0 && errno != EINTR { break }
        }
    }

    private static func waitIgnoringInterrupts(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, __WALL) < 0 && errno == EINTR {}
    }

    /// The worker's children, from `/proc/self/task/*/children`.
    private static func childProcesses() -> [pid_t] {
        guard let directory = opendir("/proc/self/task") else { return [] }
        defer { closedir(directory) }
        var children: [pid_t] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard Int(name) != nil,
                  let bytes = try? FileDescriptor.contents(ofFile: "/proc/self/task/\(name)/children", upTo: 1 << 20)
            else { continue }
            children += String(decoding: bytes, as: UTF8.self).split(separator: " ").compactMap { pid_t($0) }
        }
        return children
    }
}
