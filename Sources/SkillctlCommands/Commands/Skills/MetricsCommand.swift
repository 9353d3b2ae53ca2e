import SkillhostProtocol

/// `skillctl metrics`: the daemon's Prometheus metrics, as a scrape reads them.
struct MetricsCommand: DaemonRequestCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "metrics", abstract: "the daemon's Prometheus metrics, in the text exposition format",
        discussion: """
            Prints the daemon's metrics as a Prometheus scrape reads them (text format 0.0.4):
            runs by skill and status and their durations, runs in flight, workers, inference
            requests, their latency and the endpoints' health, tokens, batch items, schedule
            fires, calls by method and code, and the process's memory, descriptors and CPU.
            `skillctl metrics | promtool check metrics` checks them.
            """)

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func request(in context: CommandContext) -> HostMetricsRequest {
        HostMetricsRequest()
    }

    func render(_ result: HostMetrics) -> String {
        result.text.hasSuffix("\n") ? String(result.text.dropLast()) : result.text
    }
}
