import Synchronization

/// The families a process exposes, in the order they were registered, and their text.
///
/// ```swift
/// let metrics = MetricsRegistry()
/// let runs = metrics.register(MetricFamily(counter: "app_runs_total", help: "Runs.", labelNames: ["status"]))
/// runs.labels("succeeded").increment()
/// let text = metrics.render()
/// ```
public final class MetricsRegistry: Sendable {
    /// The collectors, and the family names taken. A `Mutex`: registering happens at start-up
    /// and a scrape copies the list; recording a value never touches it.
    private let collectors = Mutex<(list: [any MetricCollector], names: Set<String>)>(([], []))

    /// An empty registry.
    public init() {}

    /// Adds `collector`, whose families are read at every scrape, and returns it.
    @discardableResult
    public func register<Collector: MetricCollector>(_ collector: Collector) -> Collector {
        let names = collector.familyNames
        collectors.withLock { collectors in
            for name in names {
                precondition(collectors.names.insert(name).inserted, "the metric \(name) is registered twice")
            }
            collectors.list.append(collector)
        }
        return collector
    }

    /// Every family as it is now.
    public func collect() -> [MetricFamilySnapshot] {
        collectors.withLock { $0.list }.flatMap { $0.collect() }
    }

    /// Every family in the text format (``PrometheusTextFormat``).
    public func render() -> String {
        PrometheusTextFormat.render(collect())
    }
}
