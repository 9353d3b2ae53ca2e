import Foundation
import Testing
@testable import InferenceDriver

/// The pieces that need no server: URL normalisation, body encoding and decoding.
@Suite("Wire format and endpoint")
struct WireFormatTests {
    @Test(arguments: [
        ("http://h:8080", "http://h:8080/v1/completions"),
        ("http://h:8080/", "http://h:8080/v1/completions"),
        ("http://h:8080/v1", "http://h:8080/v1/completions"),
        ("http://h:8080/v1//", "http://h:8080/v1/completions"),
        ("https://h/proxy/llm/v1", "https://h/proxy/llm/v1/completions"),
    ])
    func completionsURLIsNormalised(base: String, expected: String) {
        let endpoint = InferenceEndpoint(baseURL: URL(string: base)!)
        #expect(endpoint.apiURL("completions").absoluteString == expected)
    }

    @Test func credentialsInTheURLAreNotDisplayed() {
        let url = URL(string: "http://user:hunter2@h:8080/v1/completions")!
        #expect(InferenceEndpoint.displayString(of: url) == "http://h:8080/v1/completions")
        #expect(!InferenceEndpoint(baseURL: url).description.contains("hunter2"))
    }

    @Test func errorsAreRedactedDownToTheLastOfARetry() {
        let key = "sk-hunter2"
        let inner = InferenceError.streamInterrupted(endpoint: "http://h/v1/completions", deliveredChunks: 2,
                                                     reason: "the server sent an error event: invalid api key \(key)")
        let errors: [InferenceError] = [
            inner,
            .httpStatus(endpoint: "http://h", status: 401, bodyExcerpt: "bad key \(key)"),
            .malformedResponse(endpoint: "http://h", reason: "the body is not JSON: \"\(key)\""),
            .retriesExhausted(model: "m", attempts: 3, lastError: inner),
        ]
        for error in errors {
            #expect(error.description.contains(key), "the case is a real one: the key is in it before")
            let redacted = error.redacting(key)
            #expect(!redacted.description.contains(key))
            #expect(redacted.description.contains("<redacted>"))
        }
        #expect(inner.redacting(nil) == inner)
    }

    @Test func keysInTheQueryAreNotDisplayed() {
        let url = URL(string: "https://api.example/v1?api_key=hunter2#frag")!
        let endpoint = InferenceEndpoint(baseURL: url)
        #expect(InferenceEndpoint.displayString(of: endpoint.apiURL("completions")) == "https://api.example/v1/completions")
        #expect(endpoint.apiURL("completions").query == "api_key=hunter2")
        #expect(!endpoint.description.contains("hunter2"))
    }

    @Test func missingUsageMeansZeros() throws {
        let json = #"{"model": "m", "choices": [{"text": "t", "finish_reason": null}]}"#
        let completion = try CompletionResponseBody.completion(from: Data(json.utf8)).get()
        #expect(completion == Completion(text: "t", finishReason: nil, model: "m",
                                         usage: TokenUsage(promptTokens: 0, completionTokens: 0)))
    }

    @Test(arguments: [
        (#"{"model": "m", "choices": []}"#, "\"choices\" is empty"),
        (#"{"model": "m", "choices": [{"text": 3}]}"#, "\"choices[0].text\" is not of type String"),
        (#"{"model": "m", "choices": [{"text": "t"}], "usage": {"prompt_tokens": 1}}"#,
         "\"usage.completion_tokens\" is missing"),
        ("[1, 2]", "is not of type Dictionary"),
    ])
    func malformedBodiesAreExplained(json: String, expectedReason: String) {
        let result = CompletionResponseBody.completion(from: Data(json.utf8))
        guard case let .failure(reason) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(reason.description.contains(expectedReason), "reason: \(reason)")
    }

    @Test func bodyExcerptCollapsesWhitespaceAndTruncates() {
        let body = Data(("a  \n\t b " + String(repeating: "x", count: 500)).utf8)
        let excerpt = BodyExcerpt(body).description
        #expect(excerpt.hasPrefix("a b xxx"))
        #expect(excerpt.count == BodyExcerpt.limit + 1)
        #expect(excerpt.hasSuffix("…"))
        #expect(BodyExcerpt(Data("key=abc123 ok".utf8), redacting: "abc123").description == "key=<redacted> ok")
    }
}
