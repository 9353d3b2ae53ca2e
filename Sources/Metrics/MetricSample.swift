/// One line of a family in the text format: the family's name and `suffix` (`_bucket`,
/// `_sum`, `_count`, or none), its labels in order and its value.
public struct MetricSample: Sendable {
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
}
