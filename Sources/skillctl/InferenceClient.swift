import JSON
import JSONRPC

/// Carries out `skillctl inference ...` and prints the result.
enum InferenceClient {
    /// Runs `command` against the daemon at `socketPath` and returns skillctl's exit status.
    static func run(_ command: InferenceCommand, socketPath: String, json: Bool, workingDirectory: String) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: socketPath)
            defer { client.close() }
            let result = try await client.call(command.method, params: params(command, workingDirectory: workingDirectory))
            if json {
                Console.output(result.serialized())
            } else {
                switch command {
                case .status: Console.output(InferenceOutput.renderStatus(result))
                case .models: Console.output(InferenceOutput.renderModels(result))
                case .attach: Console.output(InferenceOutput.renderAttached(result))
                case .detach: Console.output(InferenceOutput.renderDetached(result))
                }
            }
            return .success
        } catch {
            return Console.report(error, json: json)
        }
    }

    /// The params of the call `command` makes.
    private static func params(_ command: InferenceCommand, workingDirectory: String) -> JSONValue {
        switch command {
        case .status, .models:
            return .object([:])
        case let .detach(name):
            return .object(["name": .string(name)])
        case let .attach(attach):
            var params: [String: JSONValue] = ["model": .string(attach.model), "url": .string(attach.url)]
            if let name = attach.name { params["name"] = .string(name) }
            if let served = attach.servedModel { params["served_model"] = .string(served) }
            if let variable = attach.apiKeyEnvironmentVariable { params["api_key_env"] = .string(variable) }
            if let file = attach.apiKeyFile { params["api_key_file"] = .string(Command.absolute(file, in: workingDirectory)) }
            if let limit = attach.maximumConcurrentRequests { params["max_concurrent"] = .int(Int64(limit)) }
            return .object(params)
        }
    }
}
