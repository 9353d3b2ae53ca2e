/// A family read at scrape time rather than recorded as things happen: the endpoints'
/// health from the router, the idle workers from the pool. `read` gives each label set's
/// value (label values in the order of `labelNames`); it runs on the scraping task, so it
/// must be quick and must not block.
public struct CallbackMetric: MetricCollector {
    /// The family's name.
    public let name: String
    /// What it measures.
    public let help: String
    /// A gauge, or a counter whose count is kept elsewhere.
    public let kind: MetricKind
    /// The names of its labels, in order.
    public let labelNames: [String]
    private let read: @Sendable () -> [(labelValues: [String], value: Double)]

    /// A family whose samples `read` gives.
    public init(name: String, help: String, kind: MetricKind = .gauge, labelNames: [String] = [],
                read: @escaping @Sendable () -> [(labelValues: [String], value: Double)]) {
        precondition(kind != .histogram, "a callback gives gauges or counters")
        MetricName.check(name, labels: labelNames, kind: kind)
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
        self.read = read
    }

    /// An unlabelled family whose one value `read` gives.
    public init(name: String, help: String, kind: MetricKind = .gauge, value read: @escaping @Sendable () -> Double) {
        self.init(name: name, help: help, kind: kind, labelNames: []) { [([], read())] }
    }

    public var familyNames: [String] { [name] }

    public func collect() -> [MetricFamilySnapshot] {
        let samples = read().map { values, value in
            precondition(values.count == labelNames.count, "\(name) takes the labels \(labelNames), not \(values)")
            return MetricSample(labels: zip(labelNames, values).map { (name: $0, value: $1) }, value: value)
        }
        return [MetricFamilySnapshot(name: name, help: help, kind: kind, samples: samples)]
    }
}
