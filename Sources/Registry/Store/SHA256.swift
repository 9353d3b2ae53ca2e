import CCrypto

/// An incremental SHA-256 hasher over libcrypto's EVP interface.
///
/// Non-copyable because it owns its `EVP_MD_CTX`: a copy would share the context and finalize it
/// twice.
public struct SHA256: ~Copyable {
    /// The number of bytes in a digest.
    public static let digestByteCount = 32

    private let context: OpaquePointer

    /// Starts an empty hash.
    public init() {
        guard let context = EVP_MD_CTX_new() else {
            fatalError("EVP_MD_CTX_new failed: out of memory")
        }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("EVP_DigestInit_ex(SHA-256) failed: libcrypto has no SHA-256")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Adds `bytes` to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return
        }
        guard EVP_DigestUpdate(context, base, bytes.count) == 1 else {
            fatalError("EVP_DigestUpdate failed")
        }
    }

    /// Adds `bytes` to the hash.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Ends the hash and returns the 32-byte digest.
    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.digestByteCount)
        var length: UInt32 = 0
        let succeeded = digest.withUnsafeMutableBufferPointer { buffer in
            EVP_DigestFinal_ex(context, buffer.baseAddress, &length)
        }
        guard succeeded == 1, length == Self.digestByteCount else {
            fatalError("EVP_DigestFinal_ex failed")
        }
        return digest
    }

    /// Ends the hash and returns the digest as 64 lowercase hexadecimal digits.
    public consuming func finalizeHex() -> String {
        Self.hexString(finalize())
    }

    /// The SHA-256 digest of `bytes` as 64 lowercase hexadecimal digits, as `sha256sum` prints it.
    public static func hex(of bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// Whether `text` has the shape of a digest in ``hex(of:)``'s notation.
    public static func isValidHex(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.count == digestByteCount * 2
            && utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    private static func hexString(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var characters: [UInt8] = []
        characters.reserveCapacity(digest.count * 2)
        for byte in digest {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
