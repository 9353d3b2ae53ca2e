import HTTPServer
import JSON

/// One media type a route takes or answers with, and the schema of its body.
package struct HTTPRouteContent: Sendable {
    /// The media type, without parameters: `application/json`.
    package let mediaType: String
    /// The JSON Schema of the body (for a body that is not JSON, of its text).
    package let schema: JSONValue
    /// A body a client may send or see, if the route gives one.
    package let example: JSONValue?

    /// `mediaType` bodies of `schema`.
    package init(_ mediaType: String, _ schema: JSONValue, example: JSONValue? = nil) {
        self.mediaType = mediaType
        self.schema = schema
        self.example = example
    }

    /// JSON of `schema`.
    package static func json(_ schema: JSONValue, example: JSONValue? = nil) -> HTTPRouteContent {
        HTTPRouteContent(HTTPResponse.jsonContentType, schema, example: example)
    }

    /// Text (`text/plain`, UTF-8).
    package static let text = HTTPRouteContent("text/plain", JSONSchema.string)

    /// An HTML document (`text/html`, UTF-8).
    package static let html = HTTPRouteContent("text/html", JSONSchema.string)

    /// A stream of server-sent events (`text/event-stream`), each named one of `events`' names
    /// and its data the JSON text of that event's schema. The schema is of one event, as
    /// OpenAPI 3.1 reads it for a stream: `{"event", "data"}`.
    package static func eventStream(_ events: KeyValuePairs<String, JSONValue>) -> HTTPRouteContent {
        let data: JSONValue = ["type": "string", "contentMediaType": .string(HTTPResponse.jsonContentType)]
        return HTTPRouteContent("text/event-stream", [
            "type": "object", "required": ["event", "data"],
            "properties": ["event": ["type": "string", "enum": .array(events.map { .string($0.key) })], "data": data],
            "oneOf": .array(events.map { name, schema in
                ["properties": ["event": ["const": .string(name)], "data": ["contentSchema": schema]]]
            }),
        ])
    }
}

/// The body a route takes.
package struct HTTPRouteBody: Sendable {
    /// What the body is.
    package let description: String
    /// Whether a request must have one.
    package let isRequired: Bool
    /// The media types it may be, in the order the route prefers them.
    package let content: [HTTPRouteContent]

    /// A body as given.
    package init(_ description: String, required: Bool, _ content: [HTTPRouteContent]) {
        self.description = description
        isRequired = required
        self.content = content
    }
}

/// A parameter a route reads from its path, its query or a header field.
package struct HTTPRouteParameter: Sendable {
    /// Where the parameter is.
    package enum Location: String, Sendable {
        /// A segment of the path, named in braces in the route's pattern: always present.
        case path
        /// A member of the query: optional.
        case query
        /// A header field.
        case header
    }

    /// Where it is.
    package let location: Location
    /// Its name.
    package let name: String
    /// What it is.
    package let description: String
    /// The JSON Schema of its value.
    package let schema: JSONValue
    /// A value a client may give, if the route gives one.
    package let example: JSONValue?
    /// Whether a request must have it: a path parameter always does.
    package let isRequired: Bool

    /// The path parameter `name` of the route's pattern.
    package static func path(_ name: String, _ description: String, _ schema: JSONValue = JSONSchema.string,
                             example: JSONValue? = nil) -> HTTPRouteParameter {
        HTTPRouteParameter(location: .path, name: name, description: description, schema: schema, example: example, isRequired: true)
    }

    /// The query parameter `name`.
    package static func query(_ name: String, _ description: String, _ schema: JSONValue = JSONSchema.string) -> HTTPRouteParameter {
        HTTPRouteParameter(location: .query, name: name, description: description, schema: schema, example: nil, isRequired: false)
    }

    /// The header field `name`, which a request must have when `required`.
    package static func header(_ name: String, _ description: String, required: Bool) -> HTTPRouteParameter {
        HTTPRouteParameter(location: .header, name: name, description: description, schema: JSONSchema.string, example: nil,
                           isRequired: required)
    }
}

/// A response a route answers with when it does what it is for (its failures are
/// ``HTTPRouteFailure``s).
package struct HTTPRouteResponse: Sendable {
    /// A header field of the response.
    package struct Header: Sendable {
        /// Its name.
        package let name: String
        /// What it holds.
        package let description: String
        /// The JSON Schema of its value.
        package let schema: JSONValue

        /// `Skillhost-Run-Id`: the run the response is about.
        package static let runID = Header(name: DaemonHTTPRouter.runIDHeader, description: "the id of the run",
                                          schema: JSONSchema.int64)
    }

    /// The status.
    package let status: HTTPStatus
    /// What the response means.
    package let description: String
    /// Its media types; none for a response without a body.
    package let content: [HTTPRouteContent]
    /// The header fields it always has.
    package let headers: [Header]

    /// A response as given.
    package init(_ status: HTTPStatus, _ description: String, _ content: [HTTPRouteContent], headers: [Header] = []) {
        self.status = status
        self.description = description
        self.content = content
        self.headers = headers
    }

    /// `200 OK` with `content`.
    package static func ok(_ description: String, _ content: [HTTPRouteContent], headers: [Header] = []) -> HTTPRouteResponse {
        HTTPRouteResponse(.ok, description, content, headers: headers)
    }
}
