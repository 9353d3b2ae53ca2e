import Foundation
import Glibc
import Synchronization

/// The fixture skills of `Tests/Fixtures/skills/*.c`, compiled on first use, and a few
/// files that only look like skills.
///
/// Each fixture is compiled once per test process into a private temporary folder that is
/// removed when the process exits. Tests on several threads may ask at once.
public enum FixtureSkills {
    /// `Tests/Fixtures/skills`.
    public static let sourceDirectory: URL = BuildProducts.packageRoot
        .appendingPathComponent("Tests/Fixtures/skills", isDirectory: true)

    /// The names of every fixture, such as `echo` for `echo.c`, sorted.
    public static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: sourceDirectory.path)) ?? []
        return files.filter { $0.hasSuffix(".c") }.map { String($0.dropLast(2)) }.sorted()
    }

    /// The shared object built from `Tests/Fixtures/skills/<name>.c`.
    ///
    /// The first call compiles every fixture at once, with one `cc` per fixture running in
    /// parallel, and callers await it without blocking a thread: compiling under a lock kept
    /// the tests that waited for it blocked on the cooperative pool (two threads on a
    /// two-core machine), which starved every other test for seconds.
    ///
    /// - Throws: ``TestSupportError/noSuchFixture(name:directory:)`` for an unknown name,
    ///   ``TestSupportError/compilationFailed(source:command:diagnostics:)`` with the
    ///   compiler's messages when `cc` fails.
    public static func path(for name: String) async throws(TestSupportError) -> String {
        let isPlainName = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        let compiled = try await compiledFixtures.value.get()
        guard isPlainName, let result = compiled[name] else {
            throw .noSuchFixture(name: name, directory: sourceDirectory.path)
        }
        return try result.get()
    }

    /// A file named `x.so` holding text, not ELF.
    public static func notAnELF() throws(TestSupportError) -> String {
        try cached(key: "not an ELF") { directory throws(TestSupportError) in
            let path = "\(directory)/x.so"
            try write(Data("this is a text file, not a shared object\n".utf8), to: path)
            return path
        }
    }

    /// The `echo` fixture with its ELF header's `e_machine` changed to another
    /// architecture than this machine's: aarch64 (183) on x86_64, x86_64 (62) elsewhere.
    public static func wrongArchitecture() async throws(TestSupportError) -> String {
        let echo = try await path(for: "echo")
        return try cached(key: "wrong architecture") { directory throws(TestSupportError) in
            guard var bytes = FileManager.default.contents(atPath: echo), bytes.count > 20 else {
                throw .systemCallFailed(operation: "read", target: echo, errno: EIO)
            }
            let machine = foreignMachine
            bytes[18] = UInt8(machine & 0xFF)
            bytes[19] = UInt8(machine >> 8)
            let path = "\(directory)/echo-foreign-architecture.so"
            try write(bytes, to: path)
            return path
        }
    }

    /// The ELF `e_machine` that ``wrongArchitecture()`` writes.
    public static var foreignMachine: UInt16 {
        #if arch(x86_64)
        return 183  // EM_AARCH64
        #else
        return 62  // EM_X86_64
        #endif
    }

    // MARK: The cache

    /// Files made so far, by what they are. The lock is held while a file is made, so each
    /// is made once even when tests ask for it at the same time.
    private static let made = Mutex<[String: String]>([:])

    /// Every fixture's shared object, or why it did not compile: compiled once, on first use.
    private static let compiledFixtures = Task<Result<[String: Result<String, TestSupportError>], TestSupportError>, Never> {
        do throws(TestSupportError) {
            return .success(await compileAll(into: try cacheDirectory.get()))
        } catch {
            return .failure(error)
        }
    }

    /// This process's folder of made files, removed when the process exits.
    private static let cacheDirectory: Result<String, TestSupportError> = {
        let created: String
        do throws(TestSupportError) {
            created = try TemporaryDirectory.make(prefix: "skillfx")
        } catch {
            return .failure(error)
        }
        atexit {
            if case .success(let directory) = FixtureSkills.cacheDirectory {
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
        return .success(created)
    }()

    private static func cached(
        key: String, make: (String) throws(TestSupportError) -> String
    ) throws(TestSupportError) -> String {
        let directory = try cacheDirectory.get()
        return try made.withLock { made throws(TestSupportError) in
            if let path = made[key] { return path }
            let path = try make(directory)
            made[key] = path
            return path
        }
    }

    /// Compiles every fixture into `directory`, all at once.
    private static func compileAll(into directory: String) async -> [String: Result<String, TestSupportError>] {
        let include = BuildProducts.packageRoot.appendingPathComponent("Sources/SkillABI/include").path
        let compiler = ChildProcess.environmentValue("CC") ?? "cc"
        let jobs = names.map { name in
            let source = sourceDirectory.appendingPathComponent("\(name).c").path
            let output = "\(directory)/\(name).so"
            let logs = "\(directory)/\(name).log"
            let arguments = ["-shared", "-fPIC", "-O1", "-I", include, "-o", output, source]
            let command = ([compiler] + arguments).joined(separator: " ")
            let started = Result { () throws(TestSupportError) in
                try ChildProcess(compiler, arguments: arguments, standardError: .file(logs))
            }
            return (name: name, source: source, output: output, logs: logs, command: command, started: started)
        }
        var results: [String: Result<String, TestSupportError>] = [:]
        for job in jobs {
            do throws(TestSupportError) {
                let termination = try await job.started.get().wait(timeout: .seconds(120))
                guard termination.isSuccess else {
                    let diagnostics = (try? String(contentsOfFile: job.logs, encoding: .utf8)) ?? ""
                    throw .compilationFailed(source: job.source, command: job.command,
                                             diagnostics: "cc \(termination)\n" + diagnostics)
                }
                results[job.name] = .success(job.output)
            } catch {
                results[job.name] = .failure(error)
            }
        }
        return results
    }

    private static func write(_ data: Data, to path: String) throws(TestSupportError) {
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw .systemCallFailed(operation: "create", target: path, errno: errno)
        }
    }
}

extension ChildProcess {
    /// A non-empty environment variable of this process.
    static func environmentValue(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
