import Foundation
import Glibc
import Testing
import TestSupport
@testable import SkillDaemon

/// The check behind `skills.install` and `batches.start`'s `input_file`: a caller may have
/// the daemon read only a regular file it could read itself.
@Suite("Caller file access")
struct CallerFileAccessTests {
    /// A uid and gid that are neither root's, the daemon's, nor any file's here.
    private static let stranger = CallerFileAccess(uid: 54_321, gid: 54_321)

    @Test("a missing path, a directory and an unreadable file are refused, each for its reason")
    func refusals() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("skill.so")
        #expect(FileManager.default.createFile(atPath: file, contents: Data([1]), attributes: [.posixPermissions: 0o600]))

        #expect(throws: CallerFileAccess.Refusal.missing) { try Self.stranger.check(directory.path("absent")) }
        #expect(throws: CallerFileAccess.Refusal.notRegularFile) { try Self.stranger.check(directory.path) }
        #expect(throws: CallerFileAccess.Refusal.notReadable) { try Self.stranger.check(file) }
    }

    @Test("a stranger reads by the others' bits")
    func othersBits() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("input.jsonl")
        #expect(FileManager.default.createFile(atPath: file, contents: Data([1]), attributes: [.posixPermissions: 0o604]))
        try Self.stranger.check(file)
        #expect(chmod(file, 0o660) == 0)
        #expect(throws: CallerFileAccess.Refusal.notReadable) { try Self.stranger.check(file) }
    }

    @Test("the owner reads by the owner's bits, the group by the group's, whatever the others'",
          .enabled(if: getuid() == 0, "giving a file to another user needs root"))
    func ownerAndGroupBits() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("input.jsonl")
        #expect(FileManager.default.createFile(atPath: file, contents: Data([1]), attributes: [.posixPermissions: 0o044]))
        #expect(chown(file, Self.stranger.uid, 54_000) == 0)
        #expect(throws: CallerFileAccess.Refusal.notReadable) { try Self.stranger.check(file) }
        #expect(chmod(file, 0o400) == 0)
        try Self.stranger.check(file)

        let member = CallerFileAccess(uid: 54_322, gid: 54_000)
        #expect(chmod(file, 0o404) == 0)
        #expect(throws: CallerFileAccess.Refusal.notReadable) { try member.check(file) }
        #expect(chmod(file, 0o040) == 0)
        try member.check(file)
    }

    @Test("the daemon's own user and root pass whatever the mode")
    func daemonUserAndRoot() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("skill.so")
        #expect(FileManager.default.createFile(atPath: file, contents: Data([1]), attributes: [.posixPermissions: 0o000]))
        try CallerFileAccess(uid: getuid(), gid: getgid()).check(file)
        try CallerFileAccess(uid: 0, gid: 0).check(file)
    }
}
