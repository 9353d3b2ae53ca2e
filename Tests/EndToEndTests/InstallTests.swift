import Foundation
import Glibc
import JSON
import SkillhostModel
import Testing
import TestSupport

/// scripts/install into a DESTDIR, and scripts/package-deb: the files and where they go,
/// the installed programs running on the installed Swift runtime (not the toolchain's), a
/// skill built with the installed header and pkg-config file and one built by SwiftPM, run
/// by the installed daemon in sandboxed workers under the installed skillhost-worker-init.
/// Slow: the first run makes a release build (in `.build-install`, kept for the next runs).
@Suite("scripts/install and scripts/package-deb", .serialized)
struct InstallTests {
    private let noInference = URL(string: "http://127.0.0.1:9")!

    @Test("scripts/install puts every file in its place under DESTDIR, units with @bindir@ filled in")
    func files() async throws {
        let installation = try await Installation.shared()
        var expected: [String: Int] = [
            "bin/skillhostd": 0o755, "bin/skillctl": 0o755, "bin/skillhost-worker-init": 0o755,
            "include/skillhost/skill_abi.h": 0o644, "lib/pkgconfig/skillhost-skill.pc": 0o644,
            "share/bash-completion/completions/skillctl": 0o644, "share/zsh/vendor-completions/_skillctl": 0o644,
            "share/fish/vendor_completions.d/skillctl.fish": 0o644,
            "share/man/man1/skillctl.1": 0o644, "share/man/man8/skillhostd.8": 0o644,
            "lib/sysusers.d/skillhost.conf": 0o644,
        ]
        let units = Installation.sourceUnits()
        for unit in units {
            expected["lib/systemd/\(unit)"] = 0o644
        }
        for library in try await Installation.toolchainRuntime() {
            expected["lib/skillhost/\(library)"] = 0o644
        }
        #expect(try Installation.files(under: installation.home) == expected)

        for unit in units {
            let source = try String(contentsOf: BuildProducts.packageRoot.appendingPathComponent("packaging/systemd/\(unit)"),
                                    encoding: .utf8)
            let installed = try String(contentsOfFile: installation.path("lib/systemd/\(unit)"), encoding: .utf8)
            #expect(installed == source.replacing("@bindir@", with: "\(Installation.prefix)/bin"), "\(unit)")
            #expect(!installed.contains("@bindir@"), "\(unit) keeps the placeholder")
        }
        let header = try Data(contentsOf: BuildProducts.packageRoot.appendingPathComponent("Sources/SkillABI/include/skill_abi.h"))
        #expect(FileManager.default.contents(atPath: installation.path("include/skillhost/skill_abi.h")) == header)

        let skillctl = installation.path("bin/skillctl"), skillhostd = installation.path("bin/skillhostd")
        let version = try await ProgramRun.run(skillctl, ["--version"])
        #expect(version.standardOutput == "skillctl \(SkillhostRelease.version)\n", "\(version)")
        let daemonVersion = try await ProgramRun.run(skillhostd, ["--version"])
        #expect(daemonVersion.standardOutput.hasPrefix("skillhostd \(SkillhostRelease.version) (skill ABI "), "\(daemonVersion)")
        let help = try await ProgramRun.run(skillctl, ["--help"])
        #expect(help.succeeded && help.standardOutput.hasPrefix("skillctl: control skillhostd"), "\(help)")
        let daemonHelp = try await ProgramRun.run(skillhostd, ["--help"])
        #expect(daemonHelp.succeeded && daemonHelp.standardOutput.hasPrefix("usage: skillhostd"), "\(daemonHelp)")

        for (shell, file) in [("bash", "share/bash-completion/completions/skillctl"), ("zsh", "share/zsh/vendor-completions/_skillctl"),
                              ("fish", "share/fish/vendor_completions.d/skillctl.fish")] {
            let script = try await ProgramRun.run(skillctl, ["completion", shell])
            #expect(FileManager.default.contents(atPath: installation.path(file)) == Data(script.standardOutput.utf8), "\(file)")
        }
        for page in ["share/man/man1/skillctl.1", "share/man/man8/skillhostd.8"] {
            let lint = try await ProgramRun.run("groff", ["-man", "-ww", "-z", "-Tutf8", installation.path(page)])
            #expect(lint.succeeded && lint.standardError.isEmpty, "\(page): \(lint)")
        }
        for program in ["skillctl", "skillhostd", "skillhost-worker-init"] {
            try await Installation.expectInstalledRuntime(for: installation.path("bin/\(program)"), in: installation.home)
        }
    }

    @Test("a skill built with the installed pkg-config file runs in a sandboxed worker of the installed daemon, under its worker init")
    func skillInSandboxedWorker() async throws {
        let installation = try await Installation.shared()
        let environment = ProcessInfo.processInfo.environment.merging([
            "PKG_CONFIG_PATH": installation.path("lib/pkgconfig"), "PKG_CONFIG_SYSROOT_DIR": Installation.destdir,
        ]) { $1 }
        let cflags = try await ProgramRun.run("pkg-config", ["--cflags", "skillhost-skill"], environment: environment)
        #expect(cflags.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "-I\(installation.path("include/skillhost"))",
                "\(cflags)")
        let modversion = try await ProgramRun.run("pkg-config", ["--modversion", "skillhost-skill"], environment: environment)
        #expect(modversion.standardOutput == "\(SkillhostRelease.version)\n", "\(modversion)")

        let work = try TemporaryDirectory(prefix: "inst-skill")
        let source = FixtureSkills.sourceDirectory.appendingPathComponent("reports_pid.c").path
        let library = work.path("reports_pid.so")
        let build = try await ProgramRun.run(
            "sh", ["-c", #"cc -shared -fPIC $(pkg-config --cflags skillhost-skill) "$1" -o "$2""#, "sh", source, library],
            environment: environment)
        #expect(build.succeeded, "\(build)")

        let bin = installation.path("bin")
        let daemon = try await DaemonHarness(inferenceURL: noInference, programs: bin)
        let installed = try await daemon.skillctl("install", "--isolation", "process", library)
        #expect(installed.status == 0, "\(installed.standardError)\n\(daemon.log())")
        // SwiftPM links even a C library with the Swift runtime: the worker lends it its own.
        let hello = try await daemon.skillctl("install", "--isolation", "process", try BuildProducts.plugin(named: "hello"))
        #expect(hello.status == 0, "\(hello.standardError)\n\(daemon.log())")
        let greeting = try await daemon.skillctl("--json", "run", "hello", #"{"name":"installed"}"#)
        #expect(try greeting.json()["output"]?["greeting"] == "Hello, installed!", "\(greeting.standardError)")
        let run = try await daemon.skillctl("--json", "run", "reports-pid")
        #expect(run.status == 0, "\(run.standardError)\n\(daemon.log())")
        let output = try run.json()["output"]
        let reportedPID = try #require(output?["pid"]?.int64Value)
        let pidNamespace = try #require(output?["pid_namespace"]?.stringValue)
        let daemonNamespace = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(daemon.process.pid)/ns/pid")
        #expect(pidNamespace != daemonNamespace, "the worker shares the daemon's PID namespace")
        let worker = try #require(WorkerProcesses.hostPID(of: daemon.process.pid, reportedPID: reportedPID, pidNamespace: pidNamespace))
        let parent = try #require(Installation.parent(of: worker))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(parent)/exe") == bin + "/skillhost-worker-init",
                "the worker's pid 1 is not the installed skillhost-worker-init")

        let status = try await daemon.skillctl("--json", "status")
        let layers = try status.json()["sandbox"]?["layers"]?.arrayValue ?? []
        #expect(layers.contains { $0["layer"]?.stringValue == "pid_namespace" && $0["active"]?.boolValue == true },
                "\(status.standardOutput)")

        let completion = installation.path("share/bash-completion/completions/skillctl")
        #expect(try await ShellCompletion.bash("\(bin)/skillctl --socket \(daemon.socketPath) run ", script: completion, in: work.path)
                == ["hello", "reports-pid"])
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("scripts/package-deb builds a .deb whose files, fields and maintainer scripts are as they should be, and whose programs run unpacked")
    func debianPackage() async throws {
        _ = try await Installation.shared()
        let output = try TemporaryDirectory(prefix: "inst-deb")
        let packaged = try await ProgramRun.run(
            BuildProducts.packageRoot.appendingPathComponent("scripts/package-deb").path, ["--output", output.path],
            environment: Installation.environment, timeout: Installation.buildTimeout)
        try #require(packaged.succeeded, "\(packaged)")
        let architecture = try await ProgramRun.run("dpkg", ["--print-architecture"]).standardOutput
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let deb = output.path("skillhost_\(SkillhostRelease.version)_\(architecture).deb")
        try #require(FileManager.default.fileExists(atPath: deb), "\(packaged.standardOutput)")

        let listing = try await ProgramRun.run("dpkg-deb", ["-c", deb])
        let entries = listing.lines.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        let files = Set(entries.filter { !$0[0].hasPrefix("d") }.compactMap { $0.last.map(String.init) })
        var expected: Set<String> = [
            "./usr/bin/skillhostd", "./usr/bin/skillctl", "./usr/bin/skillhost-worker-init",
            "./usr/include/skillhost/skill_abi.h", "./usr/lib/pkgconfig/skillhost-skill.pc",
            "./usr/share/bash-completion/completions/skillctl", "./usr/share/zsh/vendor-completions/_skillctl",
            "./usr/share/fish/vendor_completions.d/skillctl.fish",
            "./usr/share/man/man1/skillctl.1.gz", "./usr/share/man/man8/skillhostd.8.gz",
        ]
        expected.formUnion(Installation.sourceUnits().map { "./usr/lib/systemd/\($0)" })
        expected.insert("./usr/lib/sysusers.d/skillhost.conf")
        expected.formUnion(try await Installation.toolchainRuntime().map { "./usr/lib/skillhost/\($0)" })
        #expect(files == expected, "\(listing.standardOutput)")
        #expect(entries.allSatisfy { $0[1] == "root/root" }, "files not owned by root: \(listing.standardOutput)")

        let fields = try await ProgramRun.run("dpkg-deb", ["-f", deb, "Package", "Version", "Architecture", "Depends"])
        let field = Dictionary(fields.lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }) { $1 }
        #expect(field["Package"] == "skillhost")
        #expect(field["Version"] == SkillhostRelease.version)
        #expect(field["Architecture"] == architecture)
        let depends = field["Depends"] ?? ""
        for package in ["libc6", "libsqlite3-0", "libssl3", "adduser"] {
            #expect(depends.contains(package), "Depends lacks \(package): \(depends)")
        }
        #expect(!depends.contains("swift"), "Depends: \(depends)")

        let unpacked = try TemporaryDirectory(prefix: "inst-unpacked")
        #expect(try await ProgramRun.run("dpkg-deb", ["-x", deb, unpacked.path]).succeeded)
        let bare = ["PATH": "/usr/bin:/bin"]
        let version = try await ProgramRun.run(unpacked.path("usr/bin/skillctl"), ["--version"], environment: bare)
        #expect(version.standardOutput == "skillctl \(SkillhostRelease.version)\n", "\(version)")
        let daemonVersion = try await ProgramRun.run(unpacked.path("usr/bin/skillhostd"), ["--version"], environment: bare)
        #expect(daemonVersion.succeeded && daemonVersion.standardOutput.hasPrefix("skillhostd \(SkillhostRelease.version)"),
                "\(daemonVersion)")
        for program in ["usr/bin/skillctl", "usr/bin/skillhostd", "usr/bin/skillhost-worker-init"] {
            try await Installation.expectInstalledRuntime(for: unpacked.path(program), in: unpacked.path("usr"))
        }
        let pc = try String(contentsOfFile: unpacked.path("usr/lib/pkgconfig/skillhost-skill.pc"), encoding: .utf8)
        #expect(pc.hasPrefix("prefix=/usr\n"), "\(pc)")

        let control = try TemporaryDirectory(prefix: "inst-control")
        #expect(try await ProgramRun.run("dpkg-deb", ["-e", deb, control.path]).succeeded)
        for script in ["postinst", "prerm", "postrm"] {
            let path = control.path(script)
            #expect(access(path, X_OK) == 0, "\(script) is not executable")
            let check = try await ProgramRun.run("sh", ["-n", path])
            #expect(check.succeeded && check.standardError.isEmpty, "\(script): \(check)")
            let commands = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.joined(separator: "\n")
            for surprise in ["systemctl enable", "systemctl start", "systemctl restart", "deb-systemd-invoke start"] {
                #expect(!commands.contains(surprise), "\(script) runs \(surprise)")
            }
        }
        let postinst = try String(contentsOfFile: control.path("postinst"), encoding: .utf8)
        #expect(postinst.contains("adduser --quiet --system --group --home /var/lib/skillhost skillhost"), "\(postinst)")
        #expect(postinst.contains("getent passwd skillhost"), "postinst creates the user only when it is missing")
        #expect(postinst.contains("systemctl try-restart skillhostd.service"),
                "an upgrade restarts a daemon that runs (its worker programs were replaced), and starts none")
    }
}

/// scripts/install, run once per test process into a DESTDIR of its own: a folder of the
/// build folder, emptied first.
struct Installation: Sendable {
    /// The prefix it installs to.
    static let prefix = "/usr/local"
    /// How long a release build may take on two cores.
    static let buildTimeout: Duration = .seconds(2400)
    /// The build folder of the release build, kept between test runs.
    static let scratchPath = BuildProducts.packageRoot.appendingPathComponent(".build-install").path
    /// The scripts' environment: this process's, with the build folder.
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["SKILLHOST_SCRATCH_PATH": scratchPath]) { $1 }
    }

    /// The staging folder.
    static let destdir = scratchPath + "/destdir"

    /// `DESTDIR/PREFIX`.
    var home: String { Self.destdir + Self.prefix }

    /// The path of `relative` under `DESTDIR/PREFIX`.
    func path(_ relative: String) -> String {
        home + "/" + relative
    }

    private static let made = Task { () async -> Result<Installation, any Error> in
        do {
            if FileManager.default.fileExists(atPath: destdir) {
                try FileManager.default.removeItem(atPath: destdir)
            }
            let run = try await ProgramRun.run(
                BuildProducts.packageRoot.appendingPathComponent("scripts/install").path,
                ["--prefix", prefix, "--destdir", destdir], environment: environment, timeout: buildTimeout)
            guard run.succeeded else { throw HarnessError("scripts/install failed: \(run)") }
            return .success(Installation())
        } catch {
            return .failure(error)
        }
    }

    /// The installation, made on first use.
    static func shared() async throws -> Installation {
        try await made.value.get()
    }

    /// The units of packaging/systemd as `system/NAME` and `user/NAME`: its services and sockets.
    static func sourceUnits() -> [String] {
        ["system", "user"].flatMap { kind in
            let folder = BuildProducts.packageRoot.appendingPathComponent("packaging/systemd/\(kind)").path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return names.filter { $0.hasSuffix(".service") || $0.hasSuffix(".socket") }.map { "\(kind)/\($0)" }
        }
    }

    /// Every file under `folder`, by its path relative to it, with its permission bits.
    static func files(under folder: String) throws -> [String: Int] {
        var files: [String: Int] = [:]
        let walker = FileManager.default.enumerator(atPath: folder)
        while let relative = walker?.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + relative)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            files[relative] = (attributes[.posixPermissions] as? Int) ?? -1
        }
        return files
    }

    /// The file names of the toolchain's Swift runtime (`libswiftCore.so`, ...), which
    /// scripts/install copies to `lib/skillhost`.
    static func toolchainRuntime() async throws -> [String] {
        let info = try await ProgramRun.run("swift", ["-print-target-info"])
        let folder = try #require(try JSONValue(parsing: info.standardOutput)["paths"]?["runtimeLibraryPaths"]?[0]?.stringValue,
                                  "swift -print-target-info names no runtime: \(info)")
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".so") }.sorted()
    }

    /// Checks that `program`, run with no `LD_LIBRARY_PATH`, finds every library it needs,
    /// and each of the Swift runtime in `home/lib/skillhost`; and that its run path names
    /// no toolchain.
    static func expectInstalledRuntime(for program: String, in home: String) async throws {
        let bare = ["PATH": "/usr/bin:/bin"]
        let dynamic = try await ProgramRun.run("readelf", ["-d", program], environment: bare)
        let runPath = dynamic.lines.filter { $0.contains("(RUNPATH)") || $0.contains("(RPATH)") }
        #expect(runPath.allSatisfy { !$0.contains("/opt/") && !$0.contains("/usr/lib/swift") }, "\(program): \(runPath)")
        let linked = try await ProgramRun.run("ldd", [program], environment: bare)
        #expect(linked.succeeded && !linked.standardOutput.contains("not found"), "\(program): \(linked)")
        let runtime = URL(fileURLWithPath: home + "/lib/skillhost").standardizedFileURL.path
        for line in linked.lines where ["libswift", "libFoundation", "libdispatch", "libBlocksRuntime", "lib_Foundation"]
            .contains(where: line.contains) {
            let path = line.split(separator: " ").dropFirst(2).first.map { URL(fileURLWithPath: String($0)).standardizedFileURL.path }
            #expect(path?.hasPrefix(runtime + "/") == true, "\(program) finds \(line) outside \(runtime)")
        }
    }

    /// The parent of process `pid`, from `/proc/PID/status`.
    static func parent(of pid: pid_t) -> pid_t? {
        let status = String(decoding: WorkerProcesses.file(pid, "status"), as: UTF8.self)
        return status.split(separator: "\n").first { $0.hasPrefix("PPid:") }
            .flatMap { $0.split(whereSeparator: \.isWhitespace).last.flatMap { pid_t($0) } }
    }
}
