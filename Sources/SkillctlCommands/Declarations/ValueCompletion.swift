/// What a value on the command line names, so that a shell completion or a man page can
/// offer or describe the right things: installed skills, files, one of a few words.
enum ValueCompletion: Equatable, Sendable {
    /// Free text: nothing to offer.
    case text
    /// An installed skill, `NAME` or `NAME@VERSION`.
    case skill
    /// A path to a file; with extensions, one of those kinds (`so`, `jsonl`).
    case file(extensions: [String])
    /// A skill's input: JSON text, `-` for standard input, or `@` and a path to a file.
    case input(fileExtensions: [String])
    /// Exactly one of these words.
    case choices([String])
    /// The id of a run the daemon recorded.
    case runID
    /// The id of a batch.
    case batchID
    /// The id of a schedule.
    case scheduleID
    /// A model the daemon routes inference to.
    case model
    /// The name of one of the daemon's inference endpoints.
    case endpoint
    /// An IANA time zone name, such as `Europe/Berlin`.
    case timeZone
}
