/// A skill file in the content store.
public struct StoredFile: Sendable, Equatable {
    /// The SHA-256 of the file's bytes, 64 lowercase hexadecimal digits; also its name.
    public var sha256: String
    /// The file's size in bytes.
    public var size: Int64
    /// The absolute path of the read-only file in the store.
    public var path: String

    /// Describes a stored file.
    public init(sha256: String, size: Int64, path: String) {
        self.sha256 = sha256
        self.size = size
        self.path = path
    }
}
