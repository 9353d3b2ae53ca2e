import DaemonRPC
import Foundation
import Glibc
import InferenceDriver
import JSON
import JSONRPC
@testable import ProcessIsolation
import Logging
import Registry
import Scheduling
@testable import SkillDaemon
@testable import SkillRuntime
import SkillhostModel
import SkillhostProtocol
import TestSupport
import Testing

/// The daemon's JSON-RPC service over an in-memory connection: a real registry, run
/// service and runners, real fixture skills, and no socket.
struct ServiceFixture {
    let directory: TemporaryDirectory
    let service: SkillHostService
    let connection: InMemoryJSONRPCConnection

    init() throws {
        directory = try TemporaryDirectory(prefix: "service")
        let registry = try Registry(dataDirectory: directory.path("data"))
        let configuration = LiveConfiguration(DaemonConfiguration(environment: [:]))
        let inference = InferenceRouter(defaultModel: nil, policy: RoutingPolicy()) { OpenAICompatibleClient(endpoint: $0) }
        // Installing checks the file in a throwaway worker, which is skillhostd itself.
        var settings = ProcessIsolationSettings()
        settings.workerExecutable = try BuildProducts.skillhostd()
        settings.poolSize = 0
        let runner = IsolatingRunner(
            process: ProcessRunner(inference: inference, settings: settings), inProcess: InProcessRunner(inference: inference))
        let logger = Logger(level: .error)
        let runs = RunService(registry: registry, runner: runner, configuration: configuration, logger: logger)
        let batches = BatchRunner(registry: registry, runs: runs, logger: logger)
        service = SkillHostService(
            registry: registry, runs: runs, runner: runner, batches: batches,
            scheduler: Scheduler(registry: registry, runs: runs, batches: batches, clock: SystemSchedulerClock(), logger: logger),
            inference: inference, environment: [:], configuration: configuration, logger: logger)
        connection = InMemoryJSONRPCConnection(handler: service, peer: PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid()))
    }

    /// Sends `request` through its declaration and reads the result through it.
    func send<Request: SkillhostRequest>(_ request: Request) async throws -> Request.Result {
        try Request.decodeResult(try await connection.call(Request.method, params: try request.params))
    }

    /// Installs the fixture skill `name` to run in process.
    func install(_ name: String) async throws -> InstalledSkill {
        try await send(InstallSkillRequest(path: try await FixtureSkills.path(for: name), isolation: "inprocess"))
    }
}

@Suite("SkillHostService over an in-memory connection")
struct SkillHostServiceTests {
    @Test("every declared method has a handler")
    func everyMethodIsServed() throws {
        let fixture = try ServiceFixture()
        #expect(fixture.service.unhandledRequests.map { $0.method } == [])
    }

    @Test("install, run and read back a skill; host.status counts them")
    func installAndRun() async throws {
        let fixture = try ServiceFixture()
        let installed = try await fixture.install("echo")
        #expect(installed.outcome == "installed")
        #expect(installed.skill["name"] == "echo")

        let result = try await fixture.send(RunSkillRequest(skill: "echo", input: ["greeting": "hi"]))
        #expect(result.status == "succeeded")
        #expect(result.output == ["greeting": "hi"])

        let run = try await fixture.send(GetRunRequest(runID: result.runID))
        #expect(run["status"] == "succeeded")
        #expect(run["input"] == ["greeting": "hi"])
        #expect(try await fixture.send(ListRunsRequest(skill: "echo")).runs.count == 1)

        let status = try await fixture.send(HostStatusRequest())
        #expect(status.skills == 1)
        #expect(status.runs.total == 1)
        #expect(status.pid == Int64(getpid()))
    }

    @Test("a streamed run sends run.output notifications, whose chunks joined are the output, before its answer")
    func streamedRun() async throws {
        let fixture = try ServiceFixture()
        _ = try await fixture.install("streams")
        let result = try await fixture.send(RunSkillRequest(skill: "streams", stream: true))
        let chunks = fixture.connection.notifications.compactMap { notification in
            RunOutputNotification(method: notification.method, params: notification.params)
        }
        #expect(chunks.map(\.chunk).joined() == "[1,2,3]")
        #expect(chunks.allSatisfy { $0.runID == result.runID })
        #expect(result.output == [1, 2, 3])
    }

    @Test("an unknown method is method_not_found, naming it")
    func unknownMethod() async throws {
        let fixture = try ServiceFixture()
        await #expect(throws: JSONRPCError.methodNotFound("skills.frobnicate")) {
            try await fixture.connection.call("skills.frobnicate")
        }
    }

    @Test("an unknown parameter is invalid_params naming it and the known ones")
    func unknownParameter() async throws {
        let fixture = try ServiceFixture()
        await #expect(throws: JSONRPCError.invalidParams(#"unknown parameter "verbose"; this method takes "run_id""#)) {
            try await fixture.connection.call(GetRunRequest.method, params: ["run_id": 1, "verbose": true])
        }
    }

    @Test("a domain error travels with its kind's code and name, and a failed run names its run", arguments: [
        ("rejects_input", ErrorKind.invalidInput),
        ("failing", ErrorKind.skillFailed),
    ])
    func errorKinds(fixtureName: String, kind: ErrorKind) async throws {
        let fixture = try ServiceFixture()
        let skill = try await fixture.install(fixtureName).skill["name"]?.stringValue ?? fixtureName
        do {
            _ = try await fixture.send(RunSkillRequest(skill: skill))
            Issue.record("\(skill) succeeded; it should fail as \(kind.rawValue)")
        } catch let error as JSONRPCError {
            #expect(error.code == kind.code)
            #expect(error.errorKind == kind)
            let runID = try #require(error.data?["run_id"]?.int64Value)
            #expect(try await fixture.send(GetRunRequest(runID: runID))["error"]?["kind"] == .string(kind.rawValue))
        }
        await #expect(throws: JSONRPCError(.notFound, message: "no run 999: see `skillctl runs` for recent runs")) {
            try await fixture.send(GetRunRequest(runID: 999))
        }
    }

    @Test("a parameter out of its range or not one of its names is invalid_params, naming it and what it takes",
          arguments: [
              (ListRunsRequest.method, ["limit": 0], "limit must be 1 to 1000, not 0"),
              (ListRunsRequest.method, ["status": "done"],
               #"status must be one of queued, running, succeeded, failed, timeout, crashed, cancelled, interrupted, not "done""#),
              (BatchItemsRequest.method, ["batch_id": 1, "limit": 10_001], "limit must be 1 to 10000, not 10001"),
              (ListBatchesRequest.method, ["limit": 0], "limit must be 1 to 1000, not 0"),
              (SetIsolationRequest.method, ["name": "x", "isolation": "vm"], #"isolation must be one of process, inprocess, not "vm""#),
          ] as [(String, JSONValue, String)])
    func parameterChecks(method: String, params: JSONValue, message: String) async throws {
        let fixture = try ServiceFixture()
        await #expect(throws: JSONRPCError.invalidParams(message)) {
            try await fixture.connection.call(method, params: params)
        }
    }

    @Test("only the daemon's own user or root may attach an endpoint whose key is one of the daemon's variables")
    func foreignCallerCannotNameTheDaemonsVariables() async throws {
        let fixture = try ServiceFixture()
        let stranger = InMemoryJSONRPCConnection(
            handler: fixture.service, peer: PeerCredentials(pid: getpid(), uid: geteuid() == 65534 ? 65533 : 65534, gid: 65534))
        let request = AttachEndpointRequest(model: "stolen", url: "http://127.0.0.1:9", apiKeyEnvironmentVariable: "PATH",
                                            force: true)
        let params = try request.params
        let error = await #expect(throws: JSONRPCError.self, "a caller of another uid named one of the daemon's variables") {
            try await stranger.call(AttachEndpointRequest.method, params: params)
        }
        #expect(error?.errorKind == .permissionDenied, "\(String(describing: error))")
        #expect(error?.message.contains("api_key_env reads the daemon's own environment") == true, "\(String(describing: error))")
    }
}
