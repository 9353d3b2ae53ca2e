import HTTPServer
import JSON

/// The events a route streams (`text/event-stream`) and the task that makes them, tied
/// together: the task is cancelled when the client goes away, when the answering task is
/// cancelled (the server stops), and when the stream is dropped unread (its response was
/// never written), so that no run outlives the request that asked for it.
///
/// While nothing is to be said for ``heartbeatInterval``, the stream sends a comment line,
/// so that a proxy does not close a quiet stream as idle and a client that went away is
/// found by the write that fails.
struct RouteEventStream: Sendable {
    /// One event: its name and its data.
    struct Event: Sendable {
        let name: String
        let data: JSONValue
    }

    /// How long the stream stays quiet at most.
    static let heartbeatInterval = Duration.seconds(15)

    private let events: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation

    private enum Item: Sendable {
        case event(Event)
        case heartbeat
    }

    /// A stream whose events `produce` sends, from a task started now; the stream ends when
    /// `produce` returns.
    init(_ produce: @escaping @Sendable (_ send: @escaping @Sendable (Event) -> Void) async -> Void) {
        let (events, continuation) = AsyncStream<Item>.makeStream()
        self.events = events
        self.continuation = continuation
        let producer = Task {
            await produce { continuation.yield(.event($0)) }
            continuation.finish()
        }
        continuation.onTermination = { _ in producer.cancel() }
    }

    /// Ends the stream now and cancels its task: the route answers otherwise.
    func cancel() {
        continuation.finish()
    }

    /// The response that streams the events, with `headers` besides its media type.
    func response(headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers.append(name: "Content-Type", value: "text/event-stream")
        headers.append(name: "Cache-Control", value: "no-store")
        return HTTPResponse(status: .ok, headers: headers) { [events, continuation] writer in
            let heartbeat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.heartbeatInterval)
                    continuation.yield(.heartbeat)
                }
            }
            defer { heartbeat.cancel() }
            do throws(HTTPClientGone) {
                for await item in events {
                    switch item {
                    case let .event(event): try await writer.writeEvent(event.name, data: event.data.serialized())
                    case .heartbeat: try await writer.write(": keep-alive\n\n")
                    }
                }
            } catch {
                continuation.finish()
            }
        }
    }
}
