import Registry
@testable import SkillRuntime
import SkillhostModel
import Synchronization

/// Collects the events of one invocation through ``sink``, and sets apart those that
/// arrive after ``reportArrived()``: an invocation must send none once it has ended.
final class RunEventRecorder: Sendable {
    private let state = Mutex((events: [RunEvent](), reported: false, late: [RunEvent]()))

    /// The sink to put in ``Invocation/events``.
    var sink: @Sendable (RunEvent) -> Void {
        { [self] event in
            state.withLock { state in
                if state.reported {
                    state.late.append(event)
                } else {
                    state.events.append(event)
                }
            }
        }
    }

    /// Marks the moment the caller received the report.
    func reportArrived() {
        state.withLock { $0.reported = true }
    }

    /// The events that arrived before the report, in order.
    var events: [RunEvent] { state.withLock { $0.events } }
    /// The events that arrived after the report: there must be none.
    var late: [RunEvent] { state.withLock { $0.late } }

    /// The chunks of the output events, in order.
    var outputChunks: [String] {
        events.compactMap { event in
            guard case let .output(bytes) = event else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The lines of the log events, in order.
    var logLines: [RunLogLine] {
        events.compactMap { event in
            guard case let .log(line) = event else { return nil }
            return line
        }
    }
}
