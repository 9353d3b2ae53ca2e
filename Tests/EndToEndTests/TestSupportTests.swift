import Foundation
import Glibc
import Testing
import TestSupport

/// The helpers every other test relies on: if these are wrong, other tests lie.
@Suite struct TestSupportTests {
    /// What each fixture's `skill_entry` should return: nil for no symbol at all.
    private static let expectedNames: [String: String?] = [
        "abi_newer_minor": "abi-newer-minor", "abi_too_new": "abi-too-new", "bad_magic": "bad-magic",
        "bad_name": "Bad Name!", "bad_utf8_output": "bad-utf8-output", "bad_version": "bad-version",
        "complete_twice": "complete-twice", "echo": "echo", "echo_v2": "echo", "failing": "failing", "no_entry": nil,
        "null_run": "null-run", "rejects_input": "rejects-input", "serial_counter": "serial-counter",
        "sleeps": "sleeps", "slow_init": "slow-init", "streams": "streams",
        "segfaults": "segfaults", "aborts": "aborts", "exits": "exits", "spins": "spins", "allocates": "allocates",
        "init_deadlock": "init-deadlock", "stdout_garbage": "stdout-garbage", "huge_output": "huge-output",
        "csi_misuse": "csi-misuse", "complete_parallel": "complete-parallel", "reports_pid": "reports-pid", "escapes": "escapes", "waits_for_file": "waits-for-file",
        "constructor_crash": "constructor-crash", "constructor_hangs": "constructor-hangs",
        "forks_then_aborts": "forks-then-aborts", "greets": "greets",
        "chats": "chats", "streams_completion": "streams-completion", "complete_abi_1_0": "complete-abi-1-0",
        "writes_until_aborted": "writes-until-aborted",
        "raises_sigkill": "raises-sigkill", "exceeds_cpu_time": "exceeds-cpu-time", "spins_until_file": "spins-until-file",
        "closes_descriptors": "closes-descriptors", "says_text": "says-text", "writes_then_logs": "writes-then-logs",
        "fails_with_input": "fails-with-input",
        "writes_numbered": "writes-numbered",
    ]

    /// The fixtures that are safe to `dlopen` here: the `constructor_*` ones crash or hang
    /// the process that loads them (their ELF constructors run at `dlopen`); the worker
    /// tests load them in worker processes instead.
    private static let loadableNames = FixtureSkills.names.filter { !$0.hasPrefix("constructor_") }

    @Test func everyFixtureIsKnown() {
        #expect(FixtureSkills.names == Self.expectedNames.keys.sorted())
    }

    @Test(arguments: loadableNames)
    func fixtureCompilesAndExportsItsEntry(name: String) async throws {
        let path = try await FixtureSkills.path(for: name)
        let handle = try #require(dlopen(path, RTLD_NOW | RTLD_LOCAL), "dlopen \(path)")
        defer { dlclose(handle) }
        guard let expectedName = try #require(Self.expectedNames[name]) else {
            #expect(dlsym(handle, "skill_entry") == nil)
            return
        }
        let symbol = try #require(dlsym(handle, "skill_entry"))
        typealias Entry = @convention(c) () -> UnsafeRawPointer?
        let descriptor = try #require(unsafeBitCast(symbol, to: Entry.self)())
        let magic = descriptor.load(as: UInt32.self)
        #expect((magic == 0x4C49_4B53) == (name != "bad_magic"))
        let namePointer = try #require(descriptor.load(fromByteOffset: 16, as: UnsafePointer<CChar>?.self))
        #expect(String(cString: namePointer) == expectedName)
    }

    @Test func fixturesAreCompiledOnce() async throws {
        let first = try await FixtureSkills.path(for: "echo")
        let modified = try FileManager.default.attributesOfItem(atPath: first)[.modificationDate] as? Date
        #expect(try await FixtureSkills.path(for: "echo") == first)
        #expect(try FileManager.default.attributesOfItem(atPath: first)[.modificationDate] as? Date == modified)
    }

    @Test func unknownFixtureIsReported() async {
        await #expect(throws: TestSupportError.noSuchFixture(name: "nope", directory: FixtureSkills.sourceDirectory.path)) {
            try await FixtureSkills.path(for: "nope")
        }
    }

    @Test func wrongArchitectureChangesOnlyTheMachine() async throws {
        let original = try #require(FileManager.default.contents(atPath: await FixtureSkills.path(for: "echo")))
        let patchedPath = try await FixtureSkills.wrongArchitecture()
        let patched = try #require(FileManager.default.contents(atPath: patchedPath))
        #expect(patched.count == original.count)
        let machine = UInt16(patched[18]) | UInt16(patched[19]) << 8
        #expect(machine == FixtureSkills.foreignMachine)
        #expect(machine != (UInt16(original[18]) | UInt16(original[19]) << 8))
        let differences = zip(original, patched).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        #expect(Set(differences).isSubset(of: [18, 19]) && !differences.isEmpty)
        #expect(dlopen(patchedPath, RTLD_NOW | RTLD_LOCAL) == nil)
    }

    @Test func notAnELFIsText() throws {
        let path = try FixtureSkills.notAnELF()
        #expect(path.hasSuffix("/x.so"))
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(!bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]))
    }

    @Test func childExitStatusIsDecoded() async throws {
        let child = try ChildProcess("sh", arguments: ["-c", "exit 3"])
        let termination = try await child.wait(timeout: .seconds(10))
        #expect(termination == .exited(3))
        #expect(termination.description == "exited 3")
    }

    @Test func childKilledBySignalIsDecoded() async throws {
        let child = try ChildProcess("sh", arguments: ["-c", "kill -SEGV $$"])
        let termination = try await child.wait(timeout: .seconds(10))
        #expect(termination == .killed(signal: SIGSEGV))
        #expect(termination.description == "killed by SIGSEGV")
    }

    /// The regression Foundation's `Process` has: a child spawned from an async task must
    /// not inherit a mask that blocks SIGTERM.
    @Test func childReceivesSIGTERM() async throws {
        let child = try ChildProcess("sleep", arguments: ["30"])
        child.signal(SIGTERM)
        #expect(try await child.wait(timeout: .seconds(10)) == .killed(signal: SIGTERM))
    }

    @Test func childTalksOverItsStandardStreams() async throws {
        let script = "echo ready; read name; echo \"hello $name\"; echo oops >&2; printf tail"
        let child = try ChildProcess(
            "sh", arguments: ["-c", script], standardInput: .pipe, standardOutput: .pipe, standardError: .pipe)
        #expect(try await child.readLine(timeout: .seconds(10)) == "ready")
        try child.write("newcomer\n")
        child.closeStandardInput()
        #expect(try await child.readLine(timeout: .seconds(10)) == "hello newcomer")
        #expect(try await child.readAll(timeout: .seconds(10)) == "tail")
        #expect(try await child.readAll(from: .standardError, timeout: .seconds(10)) == "oops\n")
        #expect(try await child.wait(timeout: .seconds(10)).isSuccess)
    }

    @Test func largeWritesWaitForTheChild() async throws {
        let child = try ChildProcess("wc", arguments: ["-c"], standardInput: .pipe, standardOutput: .pipe)
        try child.write(String(repeating: "x", count: 1 << 20))
        child.closeStandardInput()
        #expect(try await child.readLine(timeout: .seconds(10))?.trimmingCharacters(in: .whitespaces) == "1048576")
        #expect(try await child.wait(timeout: .seconds(10)).isSuccess)
    }

    @Test func waitTimesOutAndDeinitKillsTheChild() async throws {
        var child: ChildProcess? = try ChildProcess("sleep", arguments: ["30"])
        let pid = try #require(child?.pid)
        await #expect(throws: TestSupportError.self) {
            try await child?.wait(timeout: .milliseconds(50))
        }
        child = nil
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
    }

    @Test func childEnvironmentIsReplaced() async throws {
        let child = try ChildProcess(
            "/bin/sh", arguments: ["-c", "echo \"$ONLY_THIS\" \"${HOME:-unset}\""],
            environment: ["ONLY_THIS": "yes"], standardOutput: .pipe)
        #expect(try await child.readLine(timeout: .seconds(10)) == "yes unset")
    }

    @Test func spawnFailureNamesTheExecutable() {
        #expect(throws: TestSupportError.spawnFailed(executable: "/no/such/program", errno: ENOENT)) {
            try ChildProcess("/no/such/program")
        }
    }

    @Test func temporaryDirectoryIsShortAndRemoved() throws {
        let path: String
        do {
            let directory = try TemporaryDirectory()
            path = directory.path
            #expect(path.hasPrefix("/tmp/") && path.utf8.count < 20)
            #expect(FileManager.default.createFile(atPath: directory.path("file"), contents: Data("x".utf8)))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func buildProductsAreFound() throws {
        let hello = try BuildProducts.plugin(named: "hello")
        #expect(FileManager.default.fileExists(atPath: hello))
        #expect(throws: TestSupportError.missingBuildProduct(
            path: BuildProducts.directory.appendingPathComponent("libnothing.so").path)) {
            try BuildProducts.plugin(named: "nothing")
        }
    }

    @Test func modelServerURLComesFromTheEnvironment() throws {
        #expect(throws: TestSupportError.modelServerNotConfigured) {
            try ModelServer.baseURL(environment: [:])
        }
        #expect(throws: TestSupportError.invalidModelServerURL("localhost:8080")) {
            try ModelServer.baseURL(environment: [ModelServer.environmentVariable: "localhost:8080"])
        }
        let url = try ModelServer.baseURL(environment: [ModelServer.environmentVariable: "http://127.0.0.1:8080"])
        #expect(url.port == 8080)
        #expect(TestSupportError.modelServerNotConfigured.description.contains("./scripts/test"))
    }
}
