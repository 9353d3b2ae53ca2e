/// Why a value on the command line is not one its ``ValueKind`` reads.
enum ValueRefusal: Error, Equatable {
    /// Not of the kind: the error says what was expected (`--limit expects a whole number
    /// from 1 to 1000, got "0"`).
    case unexpected
    /// A message of its own that says everything (what was given, what was wrong).
    case explained(String)
}
