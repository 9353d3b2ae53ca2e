import JSON

/// The JSON Schema (2020-12, as OpenAPI 3.1 takes it) pieces the API's document is written
/// in: each a `JSONValue` to put where a schema goes.
package enum JSONSchema {
    /// Any JSON value.
    package static let any: JSONValue = [:]
    /// A string.
    package static let string: JSONValue = ["type": "string"]
    /// An integer.
    package static let integer: JSONValue = ["type": "integer"]
    /// A 64-bit integer.
    package static let int64: JSONValue = ["type": "integer", "format": "int64"]
    /// A number.
    package static let number: JSONValue = ["type": "number"]
    /// A time, ISO 8601 in UTC: `2026-11-23T18:00:00.000Z`.
    package static let timestamp: JSONValue = ["type": "string", "format": "date-time"]
    /// 64 hexadecimal digits.
    package static let sha256: JSONValue = ["type": "string", "pattern": "^[0-9a-f]{64}$"]

    /// A string that is one of `cases`' raw values, in their declared order.
    package static func enumeration<Cases: CaseIterable & RawRepresentable>(of cases: Cases.Type) -> JSONValue
        where Cases.RawValue == String {
        ["type": "string", "enum": .array(cases.allCases.map { .string($0.rawValue) })]
    }

    /// The schema named `name` among the document's components.
    package static func reference(_ name: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(name)")]
    }

    /// `schema`, or `null`.
    package static func nullable(_ schema: JSONValue) -> JSONValue {
        guard var members = schema.objectValue, let type = members["type"] else {
            return ["anyOf": [schema, ["type": "null"]]]
        }
        members["type"] = .array((type.arrayValue ?? [type]) + ["null"])
        if let cases = members["enum"]?.arrayValue { members["enum"] = .array(cases + [.null]) }
        return .object(members)
    }

    /// An array of `items`.
    package static func array(of items: JSONValue) -> JSONValue {
        ["type": "array", "items": items]
    }

    /// An object of exactly `properties`, every one of them present: what the daemon's
    /// records are, member for member.
    package static func record(_ properties: [String: JSONValue]) -> JSONValue {
        [
            "type": "object", "properties": .object(properties),
            "required": .array(properties.keys.sorted().map(JSONValue.string)), "additionalProperties": false,
        ]
    }

    /// An object of exactly `properties`, every one of them present but those in `optional`.
    package static func record(_ properties: [String: JSONValue], optional: Set<String>) -> JSONValue {
        [
            "type": "object", "properties": .object(properties),
            "required": .array(properties.keys.filter { !optional.contains($0) }.sorted().map(JSONValue.string)),
            "additionalProperties": false,
        ]
    }

    /// `schema` with `description`.
    package static func described(_ schema: JSONValue, _ description: String) -> JSONValue {
        var members = schema.objectValue ?? [:]
        members["description"] = .string(description)
        return .object(members)
    }
}
