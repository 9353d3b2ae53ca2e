import Synchronization

/// A metric by label set: `skillhost_runs_total` by `skill` and `status`, one ``Counter``
/// for each pair seen. Label values must come from a bounded set (installed skills, error
/// kinds), never from ids or messages: each new set is a series kept for the process's life.
public final class MetricFamily<Child: Metric>: MetricCollector {
    /// The family's name.
    public let name: String
    /// What it measures.
    public let help: String
    /// The names of its labels, in order.
    public let labelNames: [String]
    private let makeChild: @Sendable () -> Child
    /// The metric of each label set. A `Mutex`: a lookup holds it for one dictionary access
    /// (the metric itself is then changed lock-free), and a scrape for one copy.
    private let children = Mutex<[[String]: Child]>([:])

    /// A family named `name` with labels `labelNames`, whose metrics `makeChild` makes.
    public init(name: String, help: String, labelNames: [String], makeChild: @escaping @Sendable () -> Child) {
        MetricName.check(name, labels: labelNames, kind: Child.kind)
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.makeChild = makeChild
    }

    /// The metric of the label set `values`, one per label name in order; made on first use.
    public func labels(_ values: String...) -> Child {
        labels(values)
    }

    /// The metric of the label set `values`, one per label name in order; made on first use.
    public func labels(_ values: [String]) -> Child {
        precondition(values.count == labelNames.count, "\(name) takes the labels \(labelNames), not \(values)")
        return children.withLock { children in
            if let child = children[values] { return child }
            let child = makeChild()
            children[values] = child
            return child
        }
    }

    public var familyNames: [String] { [name] }

    public func collect() -> [MetricFamilySnapshot] {
        let sets = children.withLock { $0 }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let samples = sets.flatMap { values, child in
            child.samples(labels: zip(labelNames, values).map { (name: $0, value: $1) })
        }
        return [MetricFamilySnapshot(name: name, help: help, kind: Child.kind, samples: samples)]
    }
}

extension MetricFamily where Child == Counter {
    /// A family of counters.
    public convenience init(counter name: String, help: String, labelNames: [String] = []) {
        self.init(name: name, help: help, labelNames: labelNames, makeChild: Counter.init)
    }
}

extension MetricFamily where Child == Gauge {
    /// A family of gauges.
    public convenience init(gauge name: String, help: String, labelNames: [String] = []) {
        self.init(name: name, help: help, labelNames: labelNames, makeChild: Gauge.init)
    }
}

extension MetricFamily where Child == Histogram {
    /// A family of histograms, each with buckets at `upperBounds`.
    public convenience init(histogram name: String, help: String, labelNames: [String] = [], upperBounds: [Double]) {
        self.init(name: name, help: help, labelNames: labelNames, makeChild: { Histogram(upperBounds: upperBounds) })
    }
}
