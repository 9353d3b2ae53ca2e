import HTTPServer
import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol

extension HTTPResponse {
    /// The `Content-Type` of a JSON body.
    static let jsonContentType = "application/json"

    /// A response whose body is `value` as JSON text and a newline.
    static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": jsonContentType], body: Array((value.serialized() + "\n").utf8))
    }

    /// The answer to a protocol call that failed: the status of its kind
    /// (``ErrorKind/httpStatus``) and `{"error": {"kind", "message", ...}}` with the members
    /// of the error's data (a failed run's `run_id` and `status`, a setting's name).
    static func failure(_ error: JSONRPCError) -> HTTPResponse {
        let kind = error.errorKind ?? .internal
        var response = json(.object(["error": errorBody(error)]), status: HTTPStatus(code: kind.httpStatus))
        if let runID = error.data?["run_id"]?.int64Value {
            response.headers.append(name: DaemonHTTPRouter.runIDHeader, value: String(runID))
        }
        if kind.httpStatus == HTTPStatus.serviceUnavailable.code {
            response.headers.append(name: "Retry-After", value: "1")
        }
        return response
    }

    /// What the API says of `error`: `{"kind", "message", ...}` with the members of its data.
    static func errorBody(_ error: JSONRPCError) -> JSONValue {
        var members = error.data?.objectValue ?? [:]
        members["kind"] = .string((error.errorKind ?? .internal).rawValue)
        members["message"] = .string(error.message)
        return .object(members)
    }

    /// A refusal of the request itself, before any call: the body of ``failure(_:)`` for
    /// `kind` and `message`, with `status` instead of the kind's own when given.
    static func failure(_ kind: ErrorKind, _ message: String, status: HTTPStatus? = nil) -> HTTPResponse {
        var response = failure(JSONRPCError(kind, message: message))
        if let status { response.status = status }
        return response
    }
}
