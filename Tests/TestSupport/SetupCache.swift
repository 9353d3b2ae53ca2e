import Foundation

/// What `./scripts/setup` installed for the tests: under `$SKILLHOST_CACHE` (default
/// `~/.cache/skillhost`), a virtual environment with the Python packages of its
/// `test_packages` and the model server's.
public enum SetupCache {
    /// The cache folder.
    public static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["SKILLHOST_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/skillhost"
    }

    /// The virtual environment's Python.
    public static var python: String { directory + "/venv/bin/python" }
}
