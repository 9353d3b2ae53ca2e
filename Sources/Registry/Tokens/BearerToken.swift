import SystemCalls

/// The shape of skillhost's bearer tokens: `shk_` and 32 random bytes from the kernel in
/// unpadded base64url (43 characters). The prefix lets secret scanners recognise a leaked
/// token; the registry keeps only the SHA-256 of the whole text.
enum BearerToken {
    /// What every token starts with.
    static let prefix = "shk_"
    /// The random bytes in a token.
    static let secretByteCount = 32
    /// The characters after the prefix.
    static let encodedCount = 43

    /// A new secret token.
    /// - Throws: ``RegistryError/io(path:operation:reason:)`` when the kernel gives no random bytes.
    static func generate() throws(RegistryError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try KernelRandom.bytes(count: secretByteCount)
        } catch {
            throw .io(path: "the kernel's random generator", operation: "read", reason: error.description)
        }
        return prefix + base64URL(bytes)
    }

    /// Whether `text` has the shape of a token, so that a malformed one is refused without a lookup.
    static func isWellFormed(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == prefix.utf8.count + encodedCount, text.hasPrefix(prefix) else { return false }
        return utf8.dropFirst(prefix.utf8.count).allSatisfy { alphabet.contains($0) }
    }

    /// The hash the registry keeps of `token`, as 64 lowercase hexadecimal digits.
    static func digest(of token: String) -> String {
        SHA256.hex(of: Array(token.utf8))
    }

    /// Whether two digests are equal, in a time that depends only on their length.
    static func digestsEqual(_ lhs: String, _ rhs: String) -> Bool {
        let (left, right) = (Array(lhs.utf8), Array(rhs.utf8))
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `bytes` in base64url without padding (RFC 4648, section 5).
    private static func base64URL(_ bytes: [UInt8]) -> String {
        var characters: [UInt8] = []
        characters.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var group = UInt32(0)
            for (offset, byte) in chunk.enumerated() {
                group |= UInt32(byte) << (16 - 8 * UInt32(offset))
            }
            for position in 0...chunk.count {
                characters.append(alphabet[Int((group >> (18 - 6 * UInt32(position))) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
