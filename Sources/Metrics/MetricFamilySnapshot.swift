/// A family as one scrape reads it: its name, help, kind and samples.
public struct MetricFamilySnapshot: Sendable {
    /// The family's name (a counter's ends in `_total`).
    public var name: String
    /// What it measures, one line of text.
    public var help: String
    /// Its kind.
    public var kind: MetricKind
    /// Its samples; none when no label set was recorded yet.
    public var samples: [MetricSample]

    /// A snapshot as given.
    public init(name: String, help: String, kind: MetricKind, samples: [MetricSample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}
