/// Something a ``MetricsRegistry`` reads at every scrape.
public protocol MetricCollector: Sendable {
    /// The names of the families it gives, known without reading them.
    var familyNames: [String] { get }
    /// The families as they are now.
    func collect() -> [MetricFamilySnapshot]
}
