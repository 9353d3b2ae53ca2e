/// A metric of one label set: what a ``MetricFamily`` keeps per label set.
public protocol Metric: Sendable {
    /// The kind of family it makes.
    static var kind: MetricKind { get }
    /// Its samples, each with `labels` first.
    func samples(labels: [(name: String, value: String)]) -> [MetricSample]
}

extension Counter: Metric {
    public static var kind: MetricKind { .counter }

    public func samples(labels: [(name: String, value: String)]) -> [MetricSample] {
        [MetricSample(labels: labels, value: Double(value))]
    }
}

extension Gauge: Metric {
    public static var kind: MetricKind { .gauge }

    public func samples(labels: [(name: String, value: String)]) -> [MetricSample] {
        [MetricSample(labels: labels, value: Double(value))]
    }
}

extension Histogram: Metric {
    public static var kind: MetricKind { .histogram }

    public func samples(labels: [(name: String, value: String)]) -> [MetricSample] {
        let (cumulative, sum, count) = snapshot
        let bounds = upperBounds.map(PrometheusTextFormat.number) + ["+Inf"]
        return zip(bounds, cumulative).map { bound, count in
            MetricSample(suffix: "_bucket", labels: labels + [("le", bound)], value: Double(count))
        } + [
            MetricSample(suffix: "_sum", labels: labels, value: sum),
            MetricSample(suffix: "_count", labels: labels, value: Double(count)),
        ]
    }
}
