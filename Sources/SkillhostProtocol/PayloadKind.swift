import JSON

/// What a run's output was: bytes that are JSON, sent as their JSON value, or other text,
/// sent as a JSON string. The two look alike when the value is a string (`"hi"` is the
/// JSON text `"hi"` or the text `hi`): `output_kind` tells them apart.
public enum PayloadKind: String, Codable, Sendable, CaseIterable {
    /// The bytes are a JSON text; the value is what they parse to.
    case json
    /// The bytes are not JSON; the value is the text as a string.
    case text

    /// The value `text` is sent as, and its kind.
    public static func value(of text: String) -> (value: JSONValue, kind: PayloadKind) {
        if let value = try? JSONValue(parsing: text) { return (value, .json) }
        return (.string(text), .text)
    }
}
