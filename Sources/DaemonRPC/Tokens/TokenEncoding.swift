import JSON
import Registry

/// The JSON shape of docs/PROTOCOL.md for a token: never its secret or its hash.
enum TokenEncoding {
    /// A token record.
    static func json(_ token: TokenRecord) -> JSONValue {
        .object([
            "token_id": .int(token.id),
            "name": .string(token.name),
            "scope": .string(token.scope.rawValue),
            "skills": token.skills.map { .array($0.map(JSONValue.string)) } ?? .null,
            "created_at": RecordEncoding.timestamp(token.createdAt),
            "created_by": token.createdBy.map { .int(Int64($0)) } ?? .null,
            "last_used_at": token.lastUsedAt.map(RecordEncoding.timestamp) ?? .null,
            "revoked_at": token.revokedAt.map(RecordEncoding.timestamp) ?? .null,
        ])
    }
}
