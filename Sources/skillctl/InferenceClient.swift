import JSON
import JSONRPC
import SkillhostProtocol

/// Carries out `skillctl inference ...` and prints the result.
enum InferenceClient {
    /// Runs `command` against the daemon at `socketPath` and returns skillctl's exit status.
    static func run(_ command: InferenceCommand, socketPath: String, json: Bool, workingDirectory: String) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: socketPath)
            defer { client.close() }
            Console.output(try await call(command, workingDirectory: workingDirectory).perform(on: client, json: json))
            return .success
        } catch {
            return Console.report(error, json: json)
        }
    }

    /// The call `command` makes, and how its answer is shown.
    private static func call(_ command: InferenceCommand, workingDirectory: String) -> DaemonCall {
        switch command {
        case .status:
            return DaemonCall(InferenceStatusRequest(), render: InferenceOutput.renderStatus)
        case .models:
            return DaemonCall(InferenceModelsRequest(), render: InferenceOutput.renderModels)
        case let .detach(name):
            return DaemonCall(DetachEndpointRequest(name: name), render: InferenceOutput.renderDetached)
        case let .attach(attach):
            return DaemonCall(AttachEndpointRequest(
                model: attach.model, url: attach.url, name: attach.name, servedModel: attach.servedModel,
                apiKeyEnvironmentVariable: attach.apiKeyEnvironmentVariable,
                apiKeyFile: attach.apiKeyFile.map { Command.absolute($0, in: workingDirectory) },
                maximumConcurrentRequests: attach.maximumConcurrentRequests.map(Int64.init)),
                render: InferenceOutput.renderAttached)
        }
    }
}
