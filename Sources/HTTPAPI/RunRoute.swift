import HTTPServer
import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol
import Synchronization

/// `POST /v1/skills/{name}/run`: runs a skill on the request's body.
///
/// The body is the input: JSON (`application/json`, or no `Content-Type`), a JSON string of
/// the text for `text/plain`, `{}` when empty. The query may name `model` and `timeout_ms`,
/// as `skills.run` takes them. The answer is the output: JSON for a skill whose output is
/// JSON, `text/plain` otherwise, with the run's id in `Skillhost-Run-Id`; a failed run is the
/// error of its kind, with its id too.
///
/// With `Accept: text/event-stream` the run is streamed once it is recorded: `started`
/// (`{run_id}`), then `output` (`{run_id, chunk}`) and `log` (`{run_id, level, message}`) as
/// the skill makes them, and a final `result` (`skills.run`'s result) or `error`
/// (`{kind, message, run_id, ...}`). A request refused before the run is recorded (an unknown
/// skill, the daemon overloaded) is answered as without streaming. A client that goes away
/// cancels the run.
enum RunRoute {
    @Sendable static func answer(_ request: HTTPRouteRequest) async -> HTTPResponse {
        let skill = request.parameters["name"] ?? ""
        if let refusal = SkillRoutes.refusal(of: request, toRun: skill) { return refusal }
        let run: RunSkillRequest
        switch runRequest(request, skill: skill) {
        case let .success(made): run = made
        case let .failure(refusal): return refusal.response
        }
        if request.request.accepts("text/event-stream") {
            return await streamed(run, request)
        }
        do {
            return output(of: try await request.call(run))
        } catch {
            return .failure(error)
        }
    }

    /// The `skills.run` request the HTTP request makes, or the answer refusing it.
    private static func runRequest(_ request: HTTPRouteRequest, skill: String) -> Result<RunSkillRequest, RouteRefusal> {
        let http = request.request
        let input: JSONValue
        switch http.mediaType {
        case _ where http.body.isEmpty:
            input = .object([:])
        case nil, "application/json":
            do throws(JSONParseError) {
                input = try JSONValue(parsing: http.body)
            } catch {
                return .failure(RouteRefusal(.failure(.invalidInput, "the body is the skill's input, and it is not JSON: \(error)")))
            }
        case "text/plain":
            input = .string(String(decoding: http.body, as: UTF8.self))
        case let other?:
            var refusal = HTTPResponse.failure(.invalidInput, "the body is the skill's input: application/json or text/plain, not \(other) "
                + "(with curl: -H 'Content-Type: application/json')")
            refusal.status = .unsupportedMediaType
            return .failure(RouteRefusal(refusal))
        }
        var timeout: Int64?
        if let text = http.queryValue(named: "timeout_ms") {
            guard let milliseconds = Int64(text) else {
                return .failure(RouteRefusal(.failure(.invalidParams, "timeout_ms must be a whole number of milliseconds, not \"\(text)\"")))
            }
            timeout = milliseconds
        }
        return .success(RunSkillRequest(skill: skill, input: input, model: http.queryValue(named: "model"),
                                        timeoutMilliseconds: timeout))
    }

    /// The answer of a run that succeeded: its output, as JSON or as text.
    private static func output(of result: JSONValue) -> HTTPResponse {
        let output = result["output"] ?? .null
        var response: HTTPResponse = if result["output_kind"]?.stringValue == PayloadKind.text.rawValue, let text = output.stringValue {
            HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
        } else {
            .json(output)
        }
        if let runID = result["run_id"]?.int64Value {
            response.headers.append(name: DaemonHTTPRouter.runIDHeader, value: String(runID))
        }
        return response
    }

    /// The answer of a streamed run: the event stream once the run is recorded, or the
    /// refusal of a run that never was.
    private static func streamed(_ run: RunSkillRequest, _ request: HTTPRouteRequest) async -> HTTPResponse {
        var run = run
        run.stream = true
        let (events, eventSink) = AsyncStream<RunEvent>.makeStream()
        let (opening, openingSink) = AsyncStream<RunEvent>.makeStream()
        let streamedRun = run
        let call = Task {
            let last: RunEvent
            do throws(JSONRPCError) {
                last = .result(try await request.call(streamedRun) { notification in
                    let event = RunEvent.notification(notification)
                    if notification.method == RunStartedNotification.method { openingSink.yield(event) }
                    eventSink.yield(event)
                })
            } catch {
                last = .error(error)
            }
            openingSink.yield(last)
            openingSink.finish()
            eventSink.yield(last)
            eventSink.finish()
        }
        var first: RunEvent?
        for await event in opening {
            first = event
            break
        }
        let runID: Int64
        switch first {
        case let .notification(started)?:
            runID = started.params?["run_id"]?.int64Value ?? 0
        case let .result(result)?:
            return output(of: result)
        case let .error(error)?:
            return .failure(error)
        case nil:
            return .failure(.internal, "the run ended without an answer")
        }
        let headers: HTTPHeaders = [
            "Content-Type": "text/event-stream", "Cache-Control": "no-store", DaemonHTTPRouter.runIDHeader: String(runID),
        ]
        return HTTPResponse(status: .ok, headers: headers) { writer in
            await withTaskCancellationHandler {
                do throws(HTTPClientGone) {
                    for await event in events {
                        try await writer.writeEvent(event.name, data: event.data.serialized())
                    }
                } catch {
                    call.cancel()
                }
            } onCancel: {
                call.cancel()
            }
        }
    }

    /// One thing a streamed run tells.
    private enum RunEvent: Sendable {
        /// A notification of the run: `run.started`, `run.output` or `run.log`.
        case notification(JSONRPCRequest)
        /// The run's result: it succeeded.
        case result(JSONValue)
        /// Its error: it failed, or was refused.
        case error(JSONRPCError)

        /// The event's name on the stream.
        var name: String {
            switch self {
            case let .notification(notification):
                switch notification.method {
                case RunStartedNotification.method: "started"
                case RunOutputNotification.method: "output"
                case RunLogNotification.method: "log"
                default: notification.method
                }
            case .result: "result"
            case .error: "error"
            }
        }

        /// The event's data.
        var data: JSONValue {
            switch self {
            case let .notification(notification): notification.params ?? .object([:])
            case let .result(result): result
            case let .error(error): HTTPResponse.errorBody(error)
            }
        }
    }
}
