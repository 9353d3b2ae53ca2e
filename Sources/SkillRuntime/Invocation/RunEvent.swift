import SkillhostModel


/// Something an invocation produced while it ran, handed to ``Invocation/events`` as it
/// happens: for a caller that shows a run live (the daemon turns them into `run.output` and
/// `run.log` notifications).
public enum RunEvent: Sendable, Equatable {
    /// Bytes written to the run's output: a `write_output` chunk, or a piece of the model's
    /// text streamed by `complete_text` or `chat` with `SKILL_COMPLETE_STREAM`. Joined in
    /// order, the output events are the start of the run's output; the rest is what the
    /// skill's `run` returned, which comes only with the report.
    case output([UInt8])
    /// A line the skill logged with `log` and the run kept (lines beyond the run's limit
    /// are dropped here as in the report).
    case log(RunLogLine)
}
