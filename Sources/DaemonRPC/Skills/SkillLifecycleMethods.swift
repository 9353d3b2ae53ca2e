import Registry
import SkillDaemon
import SkillhostModel
import SkillhostProtocol

/// `skills.disable`, `skills.enable` and `skills.drain`: whether a skill takes new runs.
///
/// The state is the registry's (it outlives a restart); the run service's
/// ``SkillActivity`` gate is closed before the registry's state changes, so no run admitted
/// after a disable or a drain began escapes the count.
struct SkillLifecycleMethods: Sendable {
    /// How long `skills.drain` waits for the runs in flight when it names no `timeout_ms`.
    static let defaultDrainTimeoutMilliseconds: Int64 = 60_000
    /// The longest `timeout_ms` a drain takes: a day.
    static let maximumDrainTimeoutMilliseconds: Int64 = 86_400_000

    let registry: Registry
    let runs: RunService

    /// Registers the handlers of these methods.
    func register(in handlers: inout RequestHandlers) {
        handlers.register(DisableSkillRequest.self) { request, _ in
            SkillList(skills: try refuseRuns(name: request.name, version: request.version, state: .disabled).map(RecordEncoding.json))
        }
        handlers.register(EnableSkillRequest.self) { request, _ in try enable(request) }
        handlers.register(DrainSkillRequest.self) { request, _ in try await drain(request) }
    }

    /// Closes the gate of every matching version, then stores `state`.
    private func refuseRuns(name: String, version: String?, state: SkillState) throws -> [SkillRecord] {
        let matching = try matchingSkills(name: name, version: version)
        for skill in matching { runs.activity.close(SkillActivity.Key(skill)) }
        return try registry.updateState(name: name, version: version, to: state)
    }

    private func enable(_ request: EnableSkillRequest) throws -> SkillList {
        _ = try matchingSkills(name: request.name, version: request.version)
        let changed = try registry.updateState(name: request.name, version: request.version, to: .enabled)
        for skill in changed { runs.activity.open(SkillActivity.Key(skill)) }
        return SkillList(skills: changed.map(RecordEncoding.json))
    }

    private func drain(_ request: DrainSkillRequest) async throws -> DrainedSkill {
        let timeout = try ParameterCheck.value(
            request.timeoutMilliseconds, named: "timeout_ms", default: Self.defaultDrainTimeoutMilliseconds,
            in: 1...Self.maximumDrainTimeoutMilliseconds)
        let matching = try matchingSkills(name: request.name, version: request.version)
        var waitedFor = 0
        for skill in matching { waitedFor += runs.activity.close(SkillActivity.Key(skill)) }
        _ = try registry.updateState(name: request.name, version: request.version, to: .draining)
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(timeout)
        for skill in matching {
            _ = await runs.activity.waitUntilIdle(SkillActivity.Key(skill), timeout: max(.zero, deadline - clock.now))
        }
        let stillInFlight = matching.reduce(0) { $0 + runs.activity.counters(SkillActivity.Key($1)).inFlight }
        let drained = stillInFlight == 0
        var stored = try matchingSkills(name: request.name, version: request.version)
        if drained {
            // Only the versions still draining: one enabled meanwhile stays enabled.
            for (index, skill) in stored.enumerated() where skill.state == .draining {
                stored[index] = try registry.updateState(name: skill.name, version: skill.version, to: .disabled).first ?? skill
            }
        }
        return DrainedSkill(drained: drained, waitedFor: Int64(waitedFor), stillInFlight: Int64(stillInFlight),
                            skills: stored.map(RecordEncoding.json))
    }

    private func matchingSkills(name: String, version: String?) throws -> [SkillRecord] {
        let matching = try registry.skills().filter { $0.name == name && (version == nil || $0.version == version) }
        guard !matching.isEmpty else {
            let which = version.map { "\(name)@\($0)" } ?? name
            throw ServiceError(.notFound, "no skill \(which) is installed: see `skillctl list`")
        }
        return matching
    }
}
