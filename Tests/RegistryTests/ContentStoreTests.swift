import Foundation
import Testing
@testable import Registry

@Suite("ContentStore")
struct ContentStoreTests {
    @Test("a stored file is read-only, named by its hash, and matches sha256sum")
    func storesFile() async throws {
        try await withTemporaryDirectory { directory in
            let store = try ContentStore(directory: directory + "/skills")
            let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
            try writeFile(directory + "/source.so", bytes)

            let stored = try store.store(contentsOf: directory + "/source.so")

            #expect(stored.sha256 == (try sha256sum(directory + "/source.so")))
            #expect(stored.size == Int64(bytes.count))
            #expect(stored.path == "\(directory)/skills/sha256/\(stored.sha256).so")
            #expect(try sha256sum(stored.path) == stored.sha256)
            #expect(permissions(of: stored.path) == 0o400)
            #expect(permissions(of: directory + "/skills") == 0o700)
            #expect(permissions(of: directory + "/skills/sha256") == 0o700)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/skills/sha256")
                == ["\(stored.sha256).so"])
        }
    }

    @Test("storing the same content again rewrites nothing")
    func idempotent() async throws {
        try await withTemporaryDirectory { directory in
            let store = try ContentStore(directory: directory + "/skills")
            try writeFile(directory + "/a.so", Array("same bytes".utf8))
            try writeFile(directory + "/b.so", Array("same bytes".utf8))
            let first = try store.store(contentsOf: directory + "/a.so")
            let inode = try #require(FileManager.default.attributesOfItem(atPath: first.path)[.systemFileNumber] as? Int)
            let second = try store.store(contentsOf: directory + "/b.so")
            #expect(second == first)
            #expect(try FileManager.default.attributesOfItem(atPath: first.path)[.systemFileNumber] as? Int == inode)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/skills/sha256").count == 1)
        }
    }

    @Test("an empty file stores under the empty digest")
    func emptyFile() async throws {
        try await withTemporaryDirectory { directory in
            let store = try ContentStore(directory: directory + "/skills")
            try writeFile(directory + "/empty.so", [])
            let stored = try store.store(contentsOf: directory + "/empty.so")
            #expect(stored.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            #expect(stored.size == 0)
        }
    }

    @Test("files over 256 MiB are refused without being read")
    func tooLarge() async throws {
        try await withTemporaryDirectory { directory in
            let store = try ContentStore(directory: directory + "/skills")
            let path = directory + "/huge.so"
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: UInt64(ContentStore.maximumFileSize) + 1)
            try handle.close()
            #expect {
                try store.store(contentsOf: path)
            } throws: { error in
                guard case .fileTooLarge(path, 268_435_457, 268_435_456)? = error as? RegistryError else { return false }
                return "\(error)".contains("more than the 268435456 bytes")
            }
        }
    }

    @Test("missing sources and directories are refused with the path and the reason")
    func unreadableSources() async throws {
        try await withTemporaryDirectory { directory in
            let store = try ContentStore(directory: directory + "/skills")
            #expect {
                try store.store(contentsOf: directory + "/missing.so")
            } throws: { error in
                "\(error)" == "cannot open \(directory)/missing.so: No such file or directory"
            }
            #expect {
                try store.store(contentsOf: directory)
            } throws: { error in
                guard case .notARegularFile(directory)? = error as? RegistryError else { return false }
                return true
            }
        }
    }

    @Test("paths are built only from valid digests")
    func invalidDigests() async throws {
        try await withTemporaryDirectory { directory in
            let store = try ContentStore(directory: directory + "/skills")
            for text in ["../../etc/passwd", String(repeating: "A", count: 64), "abc", ""] {
                #expect {
                    try store.path(forSHA256: text)
                } throws: { error in
                    guard case .invalidSHA256(text)? = error as? RegistryError else { return false }
                    return "\(error)".contains("64 lowercase hexadecimal digits")
                }
                #expect(throws: RegistryError.self) { try store.remove(sha256: text) }
            }
        }
    }

    @Test("remove deletes the file and tolerates a missing one")
    func remove() async throws {
        try await withTemporaryDirectory { directory in
            let store = try ContentStore(directory: directory + "/skills")
            try writeFile(directory + "/a.so", [1, 2, 3])
            let stored = try store.store(contentsOf: directory + "/a.so")
            #expect(try store.contains(sha256: stored.sha256))
            try store.remove(sha256: stored.sha256)
            #expect(!FileManager.default.fileExists(atPath: stored.path))
            #expect(try !store.contains(sha256: stored.sha256))
            try store.remove(sha256: stored.sha256)
        }
    }

    /// The digest `/usr/bin/sha256sum` prints for the file at `path`.
    private func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}
