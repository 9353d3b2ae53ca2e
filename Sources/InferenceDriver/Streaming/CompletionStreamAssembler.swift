import Foundation

/// Builds a ``Completion`` from the events of a streamed completion or chat completion,
/// and picks out the pieces of text to hand to the caller as they come.
///
/// The answer is complete once an event carries a finish reason (its last text event, or
/// one of its own); `[DONE]` ends the stream, and events after it are ignored. A stream
/// that reaches `[DONE]` without a finish reason was cut short: llama.cpp's Python server
/// does exactly this when another request interrupts a stream.
struct CompletionStreamAssembler: Sendable {
    /// The text so far.
    private(set) var text = ""
    /// How many events carried a non-empty piece of text.
    private(set) var contentChunks = 0
    /// The last finish reason seen.
    private(set) var finishReason: String?
    /// The first model name seen.
    private(set) var model: String?
    /// The usage, if the server sent it.
    private(set) var usage: TokenUsage?
    /// Whether `[DONE]` has arrived.
    private(set) var sawDone = false
    private var eventCount = 0

    /// Why the answer is incomplete, or `nil` once a finish reason has arrived.
    var incompleteness: String? {
        guard finishReason == nil else { return nil }
        return sawDone
            ? "the server ended the stream ([DONE]) without a finish reason, as llama.cpp's server does when "
                + "another request interrupts a stream"
            : "the stream ended without [DONE] or a finish reason"
    }

    /// Takes the next event.
    ///
    /// - Returns: the piece of text it carries, or `nil` when it carries none.
    /// - Throws: ``MalformedReason`` when the event is not a completion chunk, or reports
    ///   an error.
    mutating func take(_ event: ServerSentEvent) throws(MalformedReason) -> String? {
        guard !sawDone else { return nil }
        eventCount += 1
        if event.data.trimmingWhitespace() == "[DONE]" {
            sawDone = true
            return nil
        }
        let chunk: CompletionStreamChunk
        do {
            chunk = try JSONDecoder().decode(CompletionStreamChunk.self, from: Data(event.data.utf8))
        } catch let error as DecodingError {
            throw MalformedReason("event \(eventCount) of the stream is not a completion chunk: \(MalformedReason(error))")
        } catch {
            throw MalformedReason("event \(eventCount) of the stream is not a completion chunk: \(error)")
        }
        if let error = chunk.error {
            throw MalformedReason("the server reported an error in the stream: \"\(error.message.prefix(200))\"")
        }
        if model == nil { model = chunk.model }
        if let usage = chunk.usage {
            self.usage = TokenUsage(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
        }
        guard let choice = chunk.choices?.first else { return nil }
        if let reason = choice.finishReason { finishReason = reason }
        let piece = choice.text ?? choice.delta?.content ?? ""
        guard !piece.isEmpty else { return nil }
        text += piece
        contentChunks += 1
        return piece
    }

    /// The completion assembled from the stream.
    ///
    /// When the server sent no usage event, the usage counts one completion token per
    /// event that carried text (llama.cpp streams one token per event) and no prompt tokens.
    func completion(modelIfUnnamed: String) -> Completion {
        Completion(text: text, finishReason: finishReason, model: model ?? modelIfUnnamed,
                   usage: usage ?? TokenUsage(promptTokens: 0, completionTokens: contentChunks))
    }
}
