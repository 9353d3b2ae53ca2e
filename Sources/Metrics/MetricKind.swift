/// The kind of a metric family, as the `# TYPE` line of the text format names it.
public enum MetricKind: String, Sendable {
    /// A value that only goes up (or restarts at zero with the process).
    case counter
    /// A value that goes up and down.
    case gauge
    /// Observations counted in fixed buckets, with their sum and count.
    case histogram
}
