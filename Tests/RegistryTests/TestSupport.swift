import Foundation
import Glibc
@testable import Registry
import SkillhostModel

/// Runs `body` with a fresh directory under the system's temporary directory, removed afterwards.
func withTemporaryDirectory<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    var template = Array((NSTemporaryDirectory() + "/registry-tests-XXXXXX").utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
        throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
    let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Writes `bytes` to a new file at `path`.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// The permission bits of the file at `path`.
func permissions(of path: String) -> mode_t {
    var status = stat()
    precondition(stat(path, &status) == 0, "stat \(path) failed")
    return status.st_mode & 0o7777
}

/// Stores a file of `bytes` and returns a skill record for it.
func storedSkill(
    _ registry: Registry, in directory: String, name: String, version: String, bytes: [UInt8],
    installedAt: Date = Date(timeIntervalSince1970: 1_700_000_000.123)
) throws -> SkillRecord {
    let source = "\(directory)/\(name)-\(version)-\(bytes.count).so"
    try writeFile(source, bytes)
    let stored = try registry.storeSkillFile(contentsOf: source)
    return SkillRecord(
        name: name, version: version, sha256: stored.sha256, size: stored.size,
        description: "\(name) \(version)", inputSchema: #"{"type":"object"}"#, outputSchema: nil,
        flags: 3, abiMajor: 1, abiMinor: 0, isolation: .process, installedAt: installedAt)
}

/// A run of `skill` to record.
func newRun(of skill: String, status: RunStatus = .queued, at seconds: Double = 1_700_000_100.250) -> NewRun {
    NewRun(
        skillName: skill, skillVersion: "1.0.0", skillSHA256: String(repeating: "a", count: 64),
        input: #"{"who":"world"}"#, model: "gemma", trigger: "rpc", callerUID: 1000, status: status,
        createdAt: Date(timeIntervalSince1970: seconds),
        startedAt: status == .running ? Date(timeIntervalSince1970: seconds) : nil)
}
