import HTTPServer
import JSON
import JSONRPC
import Registry
import SkillhostModel
import SkillhostProtocol

/// The answers that read skills and runs: one protocol call each, narrowed to what the
/// token may see.
enum SkillRoutes {
    /// `GET /v1/skills`: `skills.list`, without the skills a run token may not run.
    @Sendable static func list(_ request: HTTPRouteRequest) async -> HTTPResponse {
        do {
            let listed = try await request.call(ListSkillsRequest())
            let skills = (listed["skills"]?.arrayValue ?? []).filter { skill in
                skill["name"]?.stringValue.map(request.tokenAllows(skill:)) ?? false
            }
            return .json(.object(["skills": .array(skills)]))
        } catch {
            return .failure(error)
        }
    }

    /// `GET /v1/skills/{name}`: `skills.get`; 403 for a skill the token may not run.
    @Sendable static func show(_ request: HTTPRouteRequest) async -> HTTPResponse {
        let name = request.parameters["name"] ?? ""
        if let refusal = refusal(of: request, toRun: name) { return refusal }
        do {
            return .json(try await request.call(GetSkillRequest(name: name)))
        } catch {
            return .failure(request.narrowed(error, skill: name))
        }
    }

    /// `GET /v1/runs/{id}`: `runs.get`; for a run token, a run another caller started is not
    /// found, so that its existence is not told either. A run is the token's by the token's
    /// id, which the registry records with it: a new token given the name of a revoked one
    /// does not read the old one's runs.
    @Sendable static func run(_ request: HTTPRouteRequest) async -> HTTPResponse {
        let id: Int64
        switch ownedRunID(of: request) {
        case let .success(owned): id = owned
        case let .failure(refusal): return refusal.response
        }
        do {
            return .json(try await request.call(GetRunRequest(runID: id)))
        } catch {
            return .failure(error)
        }
    }

    /// The run id of the request's `{id}`, or the answer refusing it: 400 for an id that is
    /// not a positive integer; 404 for a run token and a run another caller started, so that
    /// its existence is not told either (a run is the token's by the token's id, which the
    /// registry records with it).
    static func ownedRunID(of request: HTTPRouteRequest) -> Result<Int64, RouteRefusal> {
        let text = request.parameters["id"] ?? ""
        guard let id = Int64(text), id > 0 else {
            return .failure(RouteRefusal(.failure(.invalidParams, "a run's id is a positive integer, not \"\(text)\"")))
        }
        guard let token = request.token, token.scope != .admin else { return .success(id) }
        do {
            guard try request.services.registry.run(id: id)?.callerTokenID == token.id else {
                return .failure(RouteRefusal(.failure(.notFound, "no run \(id) that this token started")))
            }
            return .success(id)
        } catch {
            return .failure(RouteRefusal(.failure(.internal, "cannot read run \(id) from the registry: \(error)")))
        }
    }

    /// The 403 for a skill the request's token may not run, or nil when it may.
    static func refusal(of request: HTTPRouteRequest, toRun skill: String) -> HTTPResponse? {
        guard let token = request.token, !request.tokenAllows(skill: skill) else { return nil }
        return .failure(.permissionDenied, "\(TokenRefusal.skillNotAllowed(name: token.name, skill: HTTPRouteRequest.skillName(skill)))")
    }
}
