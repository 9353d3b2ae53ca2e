import HTTPServer
import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol

/// The routes that act on a run in flight from any connection: cancel it, follow its events.
/// For a run token, only the runs it started (``SkillRoutes/ownedRunID(of:)``).
enum RunFollowRoutes {
    /// `POST /v1/runs/{id}/cancel`: `runs.cancel`, answering `{cancelled, run}`.
    @Sendable static func cancel(_ request: HTTPRouteRequest) async -> HTTPResponse {
        let id: Int64
        switch SkillRoutes.ownedRunID(of: request) {
        case let .success(owned): id = owned
        case let .failure(refusal): return refusal.response
        }
        do {
            return .json(try await request.call(CancelRunRequest(runID: id)))
        } catch {
            return .failure(error)
        }
    }

    /// `GET /v1/runs/{id}/events`: `runs.attach` as an event stream: `output` and `log` events
    /// from the run's beginning, then `end` with its record (without input and output), or
    /// `error`. A client that goes away stops following; the run goes on.
    @Sendable static func events(_ request: HTTPRouteRequest) async -> HTTPResponse {
        let id: Int64
        switch SkillRoutes.ownedRunID(of: request) {
        case let .success(owned): id = owned
        case let .failure(refusal): return refusal.response
        }
        // A run that does not exist is a 404, not a stream that says so.
        do {
            guard try request.services.registry.run(id: id) != nil else {
                return .failure(.notFound, "no run \(id)")
            }
        } catch {
            return .failure(.internal, "cannot read run \(id) from the registry: \(error)")
        }
        let stream = RouteEventStream { send in
            do throws(JSONRPCError) {
                let record = try await request.call(AttachRunRequest(runID: id)) { notification in
                    send(RouteEventStream.Event(name: eventName(of: notification.method), data: notification.params ?? [:]))
                }
                send(RouteEventStream.Event(name: "end", data: record))
            } catch {
                send(RouteEventStream.Event(name: "error", data: HTTPResponse.errorBody(error)))
            }
        }
        return stream.response(headers: [DaemonHTTPRouter.runIDHeader: String(id)])
    }

    /// The event a run notification is streamed as: `output` or `log`.
    private static func eventName(of method: String) -> String {
        method == RunOutputNotification.method ? "output" : method == RunLogNotification.method ? "log" : method
    }
}
