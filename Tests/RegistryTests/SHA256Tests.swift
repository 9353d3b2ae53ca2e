import Testing
@testable import Registry

@Suite("SHA256")
struct SHA256Tests {
    @Test("known vectors from FIPS 180-2", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(message: String, digest: String) {
        #expect(SHA256.hex(of: Array(message.utf8)) == digest)
    }

    @Test("incremental updates equal one update")
    func incremental() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256()
        hasher.update(Array(bytes[..<1]))
        hasher.update([])
        hasher.update(Array(bytes[1..<4097]))
        hasher.update(Array(bytes[4097...]))
        #expect(hasher.finalizeHex() == SHA256.hex(of: bytes))
    }

    @Test("a million 'a's")
    func millionA() {
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 {
            hasher.update(chunk)
        }
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("hex validation", arguments: [
        (String(repeating: "0", count: 64), true),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true),
        ("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", false),
        (String(repeating: "0", count: 63), false),
        (String(repeating: "0", count: 65), false),
        ("../" + String(repeating: "0", count: 61), false),
        (String(repeating: "g", count: 64), false),
        ("", false),
    ])
    func validation(text: String, valid: Bool) {
        #expect(SHA256.isValidHex(text) == valid)
    }
}
