import InferenceDriver
import SkillhostModel
import Synchronization

/// The part of an invocation every host shares: its ``InvocationMachine`` behind a lock, and
/// the ``RunEventGate`` in front of its event sink. Each transition runs under the lock and
/// its effects after it, so a host never decides an outcome and acts on it in the wrong
/// order.
///
/// The machine is behind a `Mutex` because host calls arrive on any thread: the skill's, the
/// threads it starts, a worker's reader thread, an inference I/O thread, a deadline.
package final class InvocationCore<Executor: InvocationExecutor>: Sendable {
    /// The bounds on the invocation's output and logs.
    package let limits: InvocationLimits
    private let machine: Mutex<InvocationMachine<Executor>>
    private let events: RunEventGate

    /// An invocation in `phase` (see ``InvocationMachine/init(phase:limits:)``), bounded by
    /// `limits`, whose events go to `sink` (nil: nowhere).
    package init(phase: InvocationPhase, limits: InvocationLimits, events sink: (@Sendable (RunEvent) -> Void)?) {
        self.limits = limits
        machine = Mutex(InvocationMachine(phase: phase, limits: limits))
        events = RunEventGate(sink: sink)
    }

    /// Runs `change` on the machine under the lock and returns what it returns.
    package func withMachine<Value>(_ change: (inout InvocationMachine<Executor>) -> Value) -> Value {
        machine.withLock { change(&$0) }
    }

    /// Runs the transition `change` under the lock, then performs its effects.
    package func transition(_ change: (inout InvocationMachine<Executor>) -> InvocationEffects<Executor>) {
        machine.withLock { change(&$0) }.perform(closing: events)
    }

    /// Whether the skill's code runs and its host calls are served.
    package var isRunning: Bool {
        machine.withLock { $0.isRunning }
    }

    /// The caller starts waiting for the report; false, having resumed it, when the
    /// invocation ended first (then nothing may start).
    package func begin(_ caller: CheckedContinuation<InvocationReport, Never>) -> Bool {
        guard let early = machine.withLock({ $0.begin(caller) }) else { return true }
        early.perform(closing: events)
        return false
    }

    /// Ends the invocation with `failure` unless it is over already; see
    /// ``InvocationMachine/trap(_:)``.
    package func trap(_ failure: InvocationFailure) {
        transition { $0.trap(failure) }
    }

    /// Adds `bytes` to the output and hands them to the event sink; traps the invocation
    /// when they would take it past the output limit. Returns whether they were taken
    /// (false when the invocation is over, or is now).
    @discardableResult
    package func recordOutput(_ bytes: [UInt8]) -> Bool {
        let recording = events.publish {
            machine.withLock { machine in
                let recording = machine.recordOutput(bytes)
                return (recording, recording == .recorded && !bytes.isEmpty ? RunEvent.output(bytes) : nil)
            }
        }
        if recording == .overLimit {
            trap(SkillOutcome.oversizedOutput(limit: limits.maximumOutputBytes))
        }
        return recording == .recorded
    }

    /// Starts `work` for the invocation on the concurrency pool, to be cancelled if the
    /// invocation ends first; starts nothing, and returns false, once it is over.
    package func startWork(_ work: @escaping @Sendable () async -> Void) -> Bool {
        machine.withLock { machine in
            machine.track { [self] ticket in
                Task {
                    await work()
                    withMachine { $0.finishWork(ticket) }
                }
            }
        }
    }

    /// Starts `call` on `inference` as work of the invocation, cancelled if it ends first;
    /// the text of a streamed call goes to the output as it arrives. A failure traps the
    /// invocation with the call's failure. `finished` gets the answer, its tokens counted in
    /// the usage, or nil when the call failed or the invocation ended meanwhile. Starts
    /// nothing, and returns false, once the invocation is over.
    package func startInference(
        _ call: InferenceCall, on inference: any InferenceService,
        finished: @escaping @Sendable (Completion?) -> Void
    ) -> Bool {
        let request = call.request
        let onChunk = streamedTextSink(for: call)
        return startWork { [self] in
            do throws(InferenceError) {
                let completion = try await inference.complete(request, onChunk: onChunk)
                finished(withMachine { $0.recordUsage(completion.usage) } ? completion : nil)
            } catch {
                trap(call.failure(of: error))
                finished(nil)
            }
        }
    }

    /// Where the model's text goes as `call` generates it: to the output, when the call
    /// streams it (`SKILL_COMPLETE_STREAM`); nil when it does not.
    private func streamedTextSink(for call: InferenceCall) -> (@Sendable (String) -> Void)? {
        guard call.streamsOutput else { return nil }
        return { [self] text in recordOutput(Array(text.utf8)) }
    }

    /// Keeps `line` and hands it to the event sink (a line beyond the limit is counted as
    /// dropped and goes nowhere); false when the invocation is over.
    @discardableResult
    package func recordLog(_ line: RunLogLine) -> Bool {
        events.publish {
            machine.withLock { machine in
                let kept = machine.recordLog(line)
                return (kept != nil, kept == true ? RunEvent.log(line) : nil)
            }
        }
    }
}
