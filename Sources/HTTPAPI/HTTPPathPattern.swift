/// A route's path, with the segments that name a value in braces: `/v1/skills/{name}/run`.
package struct HTTPPathPattern: Sendable, Equatable, CustomStringConvertible {
    /// One segment: fixed text, or the name of the value it holds.
    package enum Segment: Sendable, Equatable {
        /// Text the path must have here.
        case literal(String)
        /// Any one non-empty segment, the value of the parameter so named.
        case parameter(String)
    }

    /// The segments, in order.
    package let segments: [Segment]

    /// The pattern `text` spells, such as `/v1/runs/{id}`.
    package init(_ text: String) {
        segments = text.split(separator: "/").map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}")
                ? .parameter(String(segment.dropFirst().dropLast())) : .literal(String(segment))
        }
    }

    /// The names of the parameters, in order.
    package var parameterNames: [String] {
        segments.compactMap { if case let .parameter(name) = $0 { name } else { nil } }
    }

    /// The parameters of `path` (already percent-decoded) by name, or nil when it does not
    /// match.
    package func match(_ path: String) -> [String: String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard parts.count == segments.count || (segments.isEmpty && parts == [""]) else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case let .literal(text):
                guard part == text else { return nil }
            case let .parameter(name):
                guard !part.isEmpty else { return nil }
                parameters[name] = String(part)
            }
        }
        return parameters
    }

    /// The pattern as written.
    package var description: String {
        "/" + segments.map { segment in
            switch segment {
            case let .literal(text): text
            case let .parameter(name): "{\(name)}"
            }
        }.joined(separator: "/")
    }
}
