/// One line of a family in the text format: the family's name and `suffix` (`_bucket`,
/// `_sum`, `_count`, or none), its labels in order and its value.
public struct MetricSample: Sendable, Equatable {
    /// What follows the family's name: empty, `_bucket`, `_sum` or `_count`.
    public var suffix: String
    /// The labels, names and values, in the order they are written.
    public var labels: [(name: String, value: String)]
    /// The value.
    public var value: Double

    /// A sample as given.
    public init(suffix: String = "", labels: [(name: String, value: String)], value: Double) {
        self.suffix = suffix
        self.labels = labels
        self.value = value
    }

    public static func == (lhs: MetricSample, rhs: MetricSample) -> Bool {
        lhs.suffix == rhs.suffix && lhs.value == rhs.value
            && lhs.labels.map(\.name) == rhs.labels.map(\.name) && lhs.labels.map(\.value) == rhs.labels.map(\.value)
    }
}

/// A family as one scrape reads it: its name, help, kind and samples.
public struct MetricFamilySnapshot: Sendable, Equatable {
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

/// Something a ``MetricsRegistry`` reads at every scrape.
public protocol MetricCollector: Sendable {
    /// The names of the families it gives, known without reading them.
    var familyNames: [String] { get }
    /// The families as they are now.
    func collect() -> [MetricFamilySnapshot]
}
