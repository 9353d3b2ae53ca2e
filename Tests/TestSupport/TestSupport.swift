import Glibc

/// What went wrong in a test helper: the operation, its input, and what to do about it.
public enum TestSupportError: Error, Equatable, CustomStringConvertible {
    /// `posix_spawn` could not start `executable`.
    case spawnFailed(executable: String, errno: Int32)
    /// `operation` did not finish within `timeout`.
    case timedOut(operation: String, timeout: Duration)
    /// The task running `operation` was cancelled.
    case cancelled(operation: String)
    /// A system call failed: `operation` (such as `read`) on `target` (a path or a pid).
    case systemCallFailed(operation: String, target: String, errno: Int32)
    /// A standard stream of a child was read or written, but it was not set up as a pipe.
    case notPiped(stream: String, pid: pid_t)
    /// A child process printed `output` where `expected` was due.
    case unexpectedOutput(command: String, output: String, expected: String)
    /// A file that `swift build` makes is not there.
    case missingBuildProduct(path: String)
    /// No `Tests/Fixtures/skills/<name>.c` exists.
    case noSuchFixture(name: String, directory: String)
    /// `cc` failed to compile a fixture skill.
    case compilationFailed(source: String, command: String, diagnostics: String)
    /// The end-to-end tests were started without a model server.
    case modelServerNotConfigured
    /// `SKILLHOST_TEST_MODEL_URL` is set to something that is not an http(s) URL.
    case invalidModelServerURL(String)

    public var description: String {
        switch self {
        case let .spawnFailed(executable, code):
            "could not start \(executable): \(errorText(code))"
        case let .timedOut(operation, timeout):
            "\(operation) did not finish within \(timeout)"
        case let .cancelled(operation):
            "\(operation) stopped: the task was cancelled"
        case let .systemCallFailed(operation, target, code):
            "\(operation) failed for \(target): \(errorText(code))"
        case let .notPiped(stream, pid):
            "the \(stream) of process \(pid) is not a pipe: spawn it with .pipe for that stream"
        case let .unexpectedOutput(command, output, expected):
            "`\(command)` printed \"\(output)\" where \"\(expected)\" was expected"
        case let .missingBuildProduct(path):
            "\(path) does not exist: run swift build first (./scripts/test does)"
        case let .noSuchFixture(name, directory):
            "there is no fixture skill \"\(name)\": expected \(directory)/\(name).c"
        case let .compilationFailed(source, command, diagnostics):
            "could not compile the fixture skill \(source) with `\(command)`:\n\(diagnostics)"
        case .modelServerNotConfigured:
            "the end-to-end tests need the real model server: run ./scripts/test (it starts one), "
                + "or set SKILLHOST_TEST_MODEL_URL"
        case let .invalidModelServerURL(value):
            "SKILLHOST_TEST_MODEL_URL is \"\(value)\", not an http(s) URL such as http://127.0.0.1:8080"
        }
    }
}

/// The text of an `errno` value, with its number: "No such file or directory (errno 2)".
func errorText(_ code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}
