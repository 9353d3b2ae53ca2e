/// What each fire of a schedule gives its skill.
public enum ScheduleInput: Sendable, Equatable {
    /// One run with this input, as JSON text.
    case fixed(String)
    /// A batch over the lines of this JSONL file, read at each fire.
    case file(path: String)
}
