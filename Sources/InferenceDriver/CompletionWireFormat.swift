import Foundation

/// The JSON body of `POST /v1/completions` or `/v1/chat/completions`. Unset parameters
/// are left out, so the server applies its own defaults.
struct CompletionRequestBody: Encodable, Equatable {
    struct Message: Encodable, Equatable {
        var role: String
        var content: String
    }

    /// `stream_options`: asks for a final event with the token usage.
    struct StreamOptions: Encodable, Equatable {
        var includeUsage: Bool

        enum CodingKeys: String, CodingKey {
            case includeUsage = "include_usage"
        }
    }

    var prompt: String?
    var messages: [Message]?
    var model: String?
    var maxTokens: Int?
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var stop: [String]?
    var stream: Bool?
    var streamOptions: StreamOptions?

    enum CodingKeys: String, CodingKey {
        case prompt, messages, model, temperature, stop, stream
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case topK = "top_k"
        case streamOptions = "stream_options"
    }

    /// The body for `request`; `streamed` asks for server-sent events with a usage event.
    init(_ request: CompletionRequest, defaultModel: String?, streamed: Bool = false) {
        switch request.input {
        case let .text(text):
            prompt = text
        case let .chat(chat):
            messages = chat.map { Message(role: $0.role, content: $0.content) }
        }
        model = request.model ?? defaultModel
        maxTokens = request.maxTokens
        temperature = request.temperature
        topP = request.topP
        topK = request.topK
        stop = request.stop.isEmpty ? nil : request.stop
        if streamed {
            stream = true
            streamOptions = StreamOptions(includeUsage: true)
        }
    }

    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and finite doubles (checked by `CompletionRequest.validate`)
        // always encode.
        return (try? encoder.encode(self)) ?? Data()
    }
}

/// The parts of an OpenAI text or chat completion response the driver reads.
struct CompletionResponseBody: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable {
            var content: String?
        }

        var text: String?
        var message: Message?
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case text, message
            case finishReason = "finish_reason"
        }
    }

    struct Usage: Decodable {
        var promptTokens: Int
        var completionTokens: Int

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }

    var model: String
    var choices: [Choice]
    var usage: Usage?

    /// Decodes `data` into a ``Completion``, or explains in a few words why it cannot.
    static func completion(from data: Data) -> Result<Completion, MalformedReason> {
        guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
            return .failure(MalformedReason("the body is not JSON: \"\(BodyExcerpt(data))\""))
        }
        let body: CompletionResponseBody
        do {
            body = try JSONDecoder().decode(CompletionResponseBody.self, from: data)
        } catch let error as DecodingError {
            return .failure(MalformedReason(error))
        } catch {
            return .failure(MalformedReason("\(error)"))
        }
        guard let choice = body.choices.first else {
            return .failure(MalformedReason("\"choices\" is empty"))
        }
        let usage = body.usage.map {
            TokenUsage(promptTokens: $0.promptTokens, completionTokens: $0.completionTokens)
        }
        guard let text = choice.text ?? choice.message.map({ $0.content ?? "" }) else {
            return .failure(MalformedReason("\"choices[0]\" has neither \"text\" nor \"message\""))
        }
        return .success(Completion(
            text: text,
            finishReason: choice.finishReason,
            model: body.model,
            usage: usage ?? TokenUsage(promptTokens: 0, completionTokens: 0)
        ))
    }
}

/// The parts of one event of a streamed completion (`"stream": true`) the driver reads:
/// a piece of text (`choices[0].text`, or `choices[0].delta.content` in a chat), a finish
/// reason, the model, the usage (in a final event with empty `choices`, when asked for
/// with `stream_options`), or an error a server reports in the middle of a stream.
struct CompletionStreamChunk: Decodable {
    struct Choice: Decodable {
        struct Delta: Decodable {
            var content: String?
        }

        var text: String?
        var delta: Delta?
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case text, delta
            case finishReason = "finish_reason"
        }
    }

    /// An error event: `{"error": {"message": "..."}}`, or `{"error": "..."}`.
    struct ServerError: Decodable {
        var message: String

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                message = text
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            message = try container.decodeIfPresent(String.self, forKey: .message) ?? "no message"
        }

        enum CodingKeys: String, CodingKey {
            case message
        }
    }

    var model: String?
    var choices: [Choice]?
    var usage: CompletionResponseBody.Usage?
    var error: ServerError?
}

/// A short explanation of why a response is not a completion.
struct MalformedReason: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    init(_ error: DecodingError) {
        func path(_ context: DecodingError.Context, appending key: CodingKey? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            let dotted = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return String(dotted.drop(while: { $0 == "." }))
        }
        switch error {
        case let .keyNotFound(key, context):
            description = "the field \"\(path(context, appending: key))\" is missing"
        case let .typeMismatch(type, context):
            description = "the field \"\(path(context))\" is not of type \(type)"
        case let .valueNotFound(type, context):
            description = "the field \"\(path(context))\" is null, expected \(type)"
        case let .dataCorrupted(context):
            description = "the body is not valid JSON (\(context.debugDescription))"
        @unknown default:
            description = "\(error)"
        }
    }
}

/// The start of a response body, fit for an error message: whitespace runs collapsed
/// to one space, cut at about 200 characters, with a secret optionally blanked out.
struct BodyExcerpt: CustomStringConvertible {
    /// The most characters kept, before the trailing ellipsis.
    static let limit = 200

    let description: String

    init(_ data: Data, redacting secret: String? = nil) {
        var text = String(decoding: data, as: UTF8.self)
        if let secret, !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        description = collapsed.count > Self.limit ? collapsed.prefix(Self.limit) + "…" : collapsed
    }
}
