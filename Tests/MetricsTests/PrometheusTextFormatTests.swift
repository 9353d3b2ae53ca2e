import Metrics
import Testing

@Suite("Prometheus text format")
struct PrometheusTextFormatTests {
    @Test("a counter: HELP, TYPE and its value")
    func counter() {
        let registry = MetricsRegistry()
        let runs = registry.register(MetricFamily(counter: "app_runs_total", help: "Runs started."))
        runs.labels().increment()
        runs.labels().increment(by: 2)
        #expect(registry.render() == """
            # HELP app_runs_total Runs started.
            # TYPE app_runs_total counter
            app_runs_total 3

            """)
    }

    @Test("a labelled gauge: one line per label set, in label order")
    func labelledGauge() {
        let registry = MetricsRegistry()
        let workers = registry.register(MetricFamily(gauge: "app_workers", help: "Workers.", labelNames: ["skill", "state"]))
        workers.labels("hello", "idle").set(2)
        workers.labels("echo", "busy").add(1)
        workers.labels("echo", "busy").add(-3)
        #expect(registry.render() == """
            # HELP app_workers Workers.
            # TYPE app_workers gauge
            app_workers{skill="echo",state="busy"} -2
            app_workers{skill="hello",state="idle"} 2

            """)
    }

    @Test("a histogram: cumulative buckets, +Inf, sum and count")
    func histogram() {
        let registry = MetricsRegistry()
        let durations = registry.register(MetricFamily(
            histogram: "app_run_duration_seconds", help: "Run durations.", labelNames: ["skill"], upperBounds: [0.1, 1]))
        let hello = durations.labels("hello")
        for value in [0.05, 0.1, 0.5, 7] { hello.observe(value) }
        #expect(registry.render() == """
            # HELP app_run_duration_seconds Run durations.
            # TYPE app_run_duration_seconds histogram
            app_run_duration_seconds_bucket{skill="hello",le="0.1"} 2
            app_run_duration_seconds_bucket{skill="hello",le="1"} 3
            app_run_duration_seconds_bucket{skill="hello",le="+Inf"} 4
            app_run_duration_seconds_sum{skill="hello"} 7.65
            app_run_duration_seconds_count{skill="hello"} 4

            """)
    }

    @Test("label values escape backslash, double quote and line feed; help escapes backslash and line feed")
    func escaping() {
        let registry = MetricsRegistry()
        let family = registry.register(MetricFamily(counter: "app_odd_total", help: "A \\ and a\nline \"as is\".",
                                                    labelNames: ["value"]))
        family.labels("back\\slash \"quoted\"\nnext").increment()
        #expect(registry.render() == #"""
            # HELP app_odd_total A \\ and a\nline "as is".
            # TYPE app_odd_total counter
            app_odd_total{value="back\\slash \"quoted\"\nnext"} 1

            """#)
    }

    @Test("callback families are read at scrape time; numbers are written as the format spells them")
    func callbacks() {
        let registry = MetricsRegistry()
        let reads = Counter()
        registry.register(CallbackMetric(name: "app_healthy", help: "Health.", labelNames: ["endpoint"]) {
            reads.increment()
            return [(["a"], 1), (["b"], 0)]
        })
        registry.register(CallbackMetric(name: "app_ratio", help: "Ratio.") { 0.25 })
        #expect(reads.value == 0)
        let text = registry.render()
        #expect(reads.value == 1)
        #expect(text.contains("app_healthy{endpoint=\"a\"} 1\napp_healthy{endpoint=\"b\"} 0\n"))
        #expect(text.contains("app_ratio 0.25\n"))
        #expect(PrometheusTextFormat.number(.infinity) == "+Inf")
        #expect(PrometheusTextFormat.number(-.infinity) == "-Inf")
        #expect(PrometheusTextFormat.number(.nan) == "NaN")
        #expect(PrometheusTextFormat.number(1e20) == "1e+20")
    }

    @Test("the process's families come from /proc/self")
    func processFamilies() throws {
        let families = ProcessMetrics().collect()
        #expect(families.map(\.name) == ProcessMetrics().familyNames)
        for family in families {
            let value = try #require(family.samples.first?.value, "\(family.name) has no sample")
            #expect(value > 0, "\(family.name)")
        }
    }
}

@Suite("Metrics recorded from many tasks at once")
struct ConcurrentRecordingTests {
    @Test("counters, gauges and histograms lose no observation when tasks on every thread record together")
    func noObservationLost() async {
        let runs = MetricFamily(counter: "app_runs_total", help: "Runs.", labelNames: ["skill"])
        let inFlight = Gauge()
        let durations = Histogram(upperBounds: [0.5, 1])
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for _ in 0..<1000 {
                        inFlight.add(1)
                        runs.labels(task.isMultiple(of: 2) ? "even" : "odd").increment()
                        durations.observe(task.isMultiple(of: 2) ? 0.25 : 2)
                        inFlight.add(-1)
                    }
                }
            }
        }
        #expect(runs.labels("even").value == 8000)
        #expect(runs.labels("odd").value == 8000)
        #expect(inFlight.value == 0)
        let (cumulative, sum, count) = durations.snapshot
        #expect(cumulative == [8000, 8000, 16000])
        #expect(count == 16000)
        #expect(sum == 8000 * 0.25 + 8000 * 2)
    }
}
