import Foundation

/// Where `swift build` put the executables and example skills that tests run, and where
/// the package's sources are.
public enum BuildProducts {
    /// The package's root folder, found from this source file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The build products folder, such as `.build/debug`, or another `--scratch-path`'s.
    ///
    /// On Linux `swift test` runs the test bundle, `<package>PackageTests.xctest`, as an
    /// executable that lives in the products folder itself, for XCTest and Swift Testing
    /// alike. `SKILLHOST_BUILD_PRODUCTS` overrides it.
    public static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["SKILLHOST_BUILD_PRODUCTS"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        var bundle = Bundle.main.bundleURL
        while bundle.pathExtension != "xctest", bundle.path != "/" {
            bundle.deleteLastPathComponent()
        }
        let testBundle = bundle.path == "/" ? Bundle.main.executableURL ?? Bundle.main.bundleURL : bundle
        return testBundle.deletingLastPathComponent()
    }()

    /// The daemon, `skillhostd`.
    public static func skillhostd() throws(TestSupportError) -> String {
        try product("skillhostd")
    }

    /// The command-line client, `skillctl`.
    public static func skillctl() throws(TestSupportError) -> String {
        try product("skillctl")
    }

    /// The benchmark, `skillbench`.
    public static func skillbench() throws(TestSupportError) -> String {
        try product("skillbench")
    }

    /// An example skill of `Plugins/`: `plugin(named: "hello")` is `libhello.so`.
    public static func plugin(named name: String) throws(TestSupportError) -> String {
        try product("lib\(name).so")
    }

    /// The path of the product `fileName`, which must exist.
    public static func product(_ fileName: String) throws(TestSupportError) -> String {
        let path = directory.appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: path) else { throw .missingBuildProduct(path: path) }
        return path
    }
}
