import CSystemShims
import Glibc
import SystemCalls
import WorkerProtocol

/// What a sandboxed worker sees of the file system (docs/SECURITY.md), and the Landlock
/// rules that say the same: the system's libraries and programs read-only (`/usr` and the
/// links or directories of `/bin`, `/lib`, ...), a few files of `/etc`, the directories of
/// the libraries the worker has loaded from elsewhere (the Swift runtime), the granted
/// paths, the skill's copy in ``WorkerSandbox/skillDirectory``; a private `/tmp`,
/// `/dev/shm`, a `/dev` of five devices and the `/proc` of its PID namespace. Not the data
/// directory, the registry, the daemon's socket, home directories or other processes.
struct FileSystemView {
    /// The descriptor on which the daemon passes the skill file.
    static let skillDescriptor: Int32 = 4

    /// The directories or links at the root that hold the system's programs and libraries.
    private static let systemRoots = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
    /// The files of `/etc` that the dynamic loader and the C library read.
    private static let configuration = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                                        "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/alternatives"]
    /// The files of `/etc` that name resolution and TLS read, with the network granted.
    private static let networkConfiguration = ["/etc/hosts", "/etc/resolv.conf", "/etc/host.conf", "/etc/gai.conf",
                                               "/etc/ssl", "/etc/ca-certificates"]
    /// The devices of `/dev`.
    private static let devices = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"]

    /// One entry of the view.
    private struct Entry {
        var kind: cshim_view_entry_kind
        var source: String?
        var target: String
        var sizeBytes: UInt64 = 0
    }

    private var entries: [Entry] = []
    /// Read-only Landlock rules, then writable ones, as paths where the worker will see them.
    private var readablePaths: [String] = []
    private var writablePaths: [String] = []
    private let skillFileName: String?
    private let temporaryBytes: Int

    /// The view of a worker with a mount namespace; `skillFileName` names the copy of the
    /// skill file of descriptor 4 (none: a worker that only probes the sandbox).
    init(options: WorkerSandboxOptions, skillFileName: String?) {
        self.skillFileName = skillFileName
        temporaryBytes = options.temporaryBytes
        for root in Self.systemRoots {
            var status = stat()
            guard lstat(root, &status) == 0 else { continue }
            if status.st_mode & S_IFMT == S_IFLNK, let target = Self.linkText(root) {
                entries.append(Entry(kind: CSHIM_VIEW_SYMLINK, source: target, target: root))
            } else {
                entries.append(Entry(kind: CSHIM_VIEW_BIND_READ_ONLY, source: root, target: root))
                readablePaths.append(root)
            }
        }
        let files = Self.configuration + (options.grants.network == .host ? Self.networkConfiguration : [])
        for file in files where access(file, F_OK) == 0 {
            entries.append(Entry(kind: CSHIM_VIEW_BIND_READ_ONLY, source: file, target: file))
        }
        readablePaths.append("/etc")
        for directory in Self.loadedLibraryDirectories() where !Self.isBelowSystemRoot(directory) {
            entries.append(Entry(kind: CSHIM_VIEW_BIND_READ_ONLY, source: directory, target: directory))
            readablePaths.append(directory)
        }
        entries.append(Entry(kind: CSHIM_VIEW_TMPFS, target: "/dev", sizeBytes: 64 << 10))
        for device in Self.devices where access(device, F_OK) == 0 {
            entries.append(Entry(kind: CSHIM_VIEW_BIND_DEVICE, source: device, target: device))
        }
        for (link, target) in [("/dev/fd", "/proc/self/fd"), ("/dev/stdin", "/proc/self/fd/0"),
                               ("/dev/stdout", "/proc/self/fd/1"), ("/dev/stderr", "/proc/self/fd/2")]
        {
            entries.append(Entry(kind: CSHIM_VIEW_SYMLINK, source: target, target: link))
        }
        entries.append(Entry(kind: CSHIM_VIEW_TMPFS, target: "/dev/shm", sizeBytes: UInt64(options.temporaryBytes)))
        entries.append(Entry(kind: CSHIM_VIEW_PROC, target: "/proc"))
        entries.append(Entry(kind: CSHIM_VIEW_TMPFS, target: "/tmp", sizeBytes: UInt64(options.temporaryBytes)))
        if skillFileName != nil {
            entries.append(Entry(kind: CSHIM_VIEW_TMPFS, target: WorkerSandbox.skillDirectory, sizeBytes: Self.skillFileSize() + (1 << 20)))
        }
        // The granted paths last, so that no tmpfs of the view (a private /tmp) hides one.
        for path in options.grants.readOnlyPaths where access(path, F_OK) == 0 {
            entries.append(Entry(kind: CSHIM_VIEW_BIND_READ_ONLY, source: path, target: path))
            readablePaths.append(path)
        }
        readablePaths += ["/proc", WorkerSandbox.skillDirectory]
        writablePaths = ["/tmp", "/dev/shm"] + Self.devices
    }

    /// The Landlock rules of a worker without a view: the same places, on the host.
    init(hostPathsFor options: WorkerSandboxOptions) {
        skillFileName = nil
        temporaryBytes = options.temporaryBytes
        readablePaths = Self.systemRoots + Self.configuration
            + (options.grants.network == .host ? Self.networkConfiguration : [])
            + Self.loadedLibraryDirectories() + options.grants.readOnlyPaths + ["/proc/self"]
        if options.skillDescriptor, let path = Self.linkText("/proc/self/fd/\(Self.skillDescriptor)") {
            readablePaths.append(path)
        }
        writablePaths = Self.devices
    }

    /// A step of the view that failed.
    struct Failure: Error {
        let message: String
    }

    /// Makes the view the worker's root, with the skill file copied into it; returns the
    /// copy's path.
    func enter() -> Result<String?, Failure> {
        var failedEntry = 0
        var failedCall: UnsafePointer<CChar>?
        let code = withEntries { pointer, count in
            cshim_sandbox_enter_view(pointer, count, &failedEntry, &failedCall)
        }
        guard code == 0 else {
            let step = failedCall.map { String(cString: $0) } ?? "mount"
            let subject = failedEntry < entries.count ? " of \(entries[failedEntry].target)" : ""
            return .failure(Failure(message: "\(step)\(subject): \(Errno(rawValue: code))"))
        }
        var skillPath: String?
        if let skillFileName {
            let path = WorkerSandbox.skillDirectory + "/" + skillFileName
            do throws(SystemCallError) {
                try Self.copySkillFile(to: path)
            } catch {
                return .failure(Failure(message: "the copy of the skill file: \(error)"))
            }
            let readOnly = cshim_sandbox_make_read_only(WorkerSandbox.skillDirectory)
            guard readOnly == 0 else { return .failure(Failure(message: "mount_setattr of \(WorkerSandbox.skillDirectory): \(Errno(rawValue: readOnly))")) }
            skillPath = path
        }
        let readOnly = cshim_sandbox_make_read_only("/")
        guard readOnly == 0 else { return .failure(Failure(message: "mount_setattr of /: \(Errno(rawValue: readOnly))")) }
        return .success(skillPath)
    }

    /// Restricts the worker to the view's paths with Landlock; whether it did, and what it
    /// is or why not.
    func restrictWithLandlock(denyingTCP: Bool) -> (active: Bool, detail: String) {
        var error: Int32 = 0
        let abi = cshim_landlock_abi(&error)
        guard abi > 0 else {
            return (false, error == ENOSYS ? "the kernel has no Landlock" : error == EOPNOTSUPP
                ? "Landlock is not enabled at boot (lsm=)" : "landlock_create_ruleset: \(Errno(rawValue: error))")
        }
        let rules = readablePaths.map { (path: $0, writable: false) } + writablePaths.map { (path: $0, writable: true) }
        let duplicated = rules.map { (strdup($0.path), $0.writable) }
        defer { duplicated.forEach { free($0.0) } }
        let cRules = duplicated.map { cshim_landlock_rule(path: UnsafePointer($0.0), writable: $0.1 ? 1 : 0) }
        var failedPath: UnsafePointer<CChar>?
        let code = cRules.withUnsafeBufferPointer { buffer in
            cshim_landlock_restrict(buffer.baseAddress, buffer.count, abi, denyingTCP ? 1 : 0, &failedPath)
        }
        guard code == 0 else {
            return (false, "landlock\(failedPath.map { " rule of \(String(cString: $0))" } ?? ""): \(Errno(rawValue: code))")
        }
        let network = abi >= 4 ? (denyingTCP ? ", no TCP" : "") : ", no network rules before ABI 4"
        let scope = abi >= 6 ? ", no signal or abstract socket outside" : ""
        return (true, "ABI \(abi)\(network)\(scope)")
    }

    // MARK: Helpers

    /// Runs `body` with the entries as C structures whose strings live as long as the call.
    private func withEntries(_ body: (UnsafePointer<cshim_view_entry>?, Int) -> Int32) -> Int32 {
        let strings: [(source: UnsafeMutablePointer<CChar>?, target: UnsafeMutablePointer<CChar>?)] =
            entries.map { entry in (entry.source.flatMap { strdup($0) }, strdup(entry.target)) }
        defer { strings.forEach { free($0.source); free($0.target) } }
        let cEntries = zip(entries, strings).map { entry, strings in
            cshim_view_entry(kind: entry.kind, source: strings.source.map { UnsafePointer($0) },
                             target: strings.target.map { UnsafePointer($0) }, size_bytes: entry.sizeBytes)
        }
        return cEntries.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
    }

    private static func linkText(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func isBelowSystemRoot(_ path: String) -> Bool {
        systemRoots.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// The directories of the shared libraries mapped into the worker, from `/proc/self/maps`
    /// (the executable itself left out): a skill built against the same runtime finds it.
    private static func loadedLibraryDirectories() -> [String] {
        guard let bytes = try? FileDescriptor.contents(ofFile: "/proc/self/maps", upTo: 8 << 20) else { return [] }
        let executable = linkText("/proc/self/exe")
        var directories: [String] = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = String(line[slash...])
            guard path != executable, path.contains(".so"), let end = path.lastIndex(of: "/") else { continue }
            let directory = String(path[..<end])
            if !directories.contains(directory) { directories.append(directory) }
        }
        return directories
    }

    private static func skillFileSize() -> UInt64 {
        var status = stat()
        return fstat(skillDescriptor, &status) == 0 ? UInt64(status.st_size) : 0
    }

    /// Copies the skill file of descriptor 4 to `path`, which only the worker can write.
    private static func copySkillFile(to path: String) throws(SystemCallError) {
        let bytes = try FileDescriptor.withUnowned(skillDescriptor) { source throws(SystemCallError) in
            _ = lseek(skillDescriptor, 0, SEEK_SET)
            return try source.readToEnd()
        }
        let copy = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, permissions: 0o500)
        try copy.writeAll(bytes)
    }
}
