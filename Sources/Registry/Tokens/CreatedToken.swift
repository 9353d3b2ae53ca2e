/// A token just made: its secret, which exists nowhere else and is never shown again, and
/// its record.
public struct CreatedToken: Sendable {
    /// The bearer token: `shk_` and 43 base64url characters.
    public let secret: String
    /// What the registry keeps of it.
    public let record: TokenRecord
}
