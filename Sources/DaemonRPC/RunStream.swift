import JSONRPC
import Registry
import SkillRuntime
import SkillhostProtocol
import Synchronization

/// The notifications of one streamed `skills.run` or one `runs.attach` (docs/PROTOCOL.md),
/// sent on the connection of the client that asked: `run.started {run_id}` as it is recorded
/// (a streamed `skills.run` only),
/// `run.output {run_id, chunk}` for each piece of
/// output as text, never splitting a character, and `run.log {run_id, level, message}` for
/// each line the skill logs.
///
/// Every notification is queued on the connection before the call's response, which the
/// connection writes in order.
final class RunStream: Sendable {
    private let connection: JSONRPCConnectionHandle
    /// The run's id and the output's decoder. A `Mutex` because events come from the
    /// threads that run the skill and its inference calls (one at a time, in order) and the
    /// end from the caller's task; sending under the lock keeps the notifications in order.
    private let state = Mutex(State())

    private struct State {
        var runID: Int64?
        var decoder = UTF8StreamDecoder()
    }

    /// A stream to the client on `connection`; of run `runID` when it is known already (an
    /// attach), else from ``recorded(_:)`` on.
    init(connection: JSONRPCConnectionHandle, runID: Int64? = nil) {
        self.connection = connection
        state.withLock { $0.runID = runID }
    }

    /// Learns the run's id, once it is recorded and before the skill starts, and sends it as
    /// `run.started`.
    func recorded(_ run: RunRecord) {
        state.withLock { state in
            state.runID = run.id
            connection.notify(RunStartedNotification(runID: run.id))
        }
    }

    /// Sends what `event` adds: the text its output bytes complete, as `run.output`, or its
    /// log line, as `run.log`.
    func send(_ event: RunEvent) {
        state.withLock { state in
            switch event {
            case let .output(bytes):
                send(text: state.decoder.decode(bytes), runID: state.runID)
            case let .log(line):
                guard let runID = state.runID else { return }
                connection.notify(RunLogNotification(runID: runID, level: line.level.rawValue, message: line.message))
            }
        }
    }

    /// Sends the output of `run` that was not streamed (what the skill's `run` returned),
    /// when it succeeded.
    func finish(_ run: RunRecord) {
        guard run.status == .succeeded, let output = run.output else { return }
        state.withLock { state in
            let bytes = Array(output.utf8)
            guard state.decoder.receivedBytes <= bytes.count else { return }
            send(text: state.decoder.decode(bytes[state.decoder.receivedBytes...]), runID: run.id)
        }
    }

    private func send(text: String, runID: Int64?) {
        guard !text.isEmpty, let runID else { return }
        connection.notify(RunOutputNotification(runID: runID, chunk: text))
    }
}
