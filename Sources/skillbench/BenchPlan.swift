/// How much each measurement does: the full counts of the issue, or small ones that only
/// check that everything still works (`--quick`).
struct BenchPlan {
    /// Sequential calls timed for each call-overhead figure.
    var sequentialCalls: Int
    /// Calls made and thrown away before each timed series.
    var warmUpCalls: Int
    /// How long each throughput configuration runs, in seconds.
    var throughputSeconds: Double
    /// The numbers of concurrent clients of the throughput figure.
    var clientCounts = [1, 8, 64]
    /// Runs made between the two RSS readings (the 100,000).
    var rssRuns: Int
    /// Runs generated in bulk before timing `runs.list` (the 1,000,000).
    var bulkRuns: Int
    /// Timed calls of each `runs.list` variant.
    var listCalls: Int
    /// Worker respawns timed.
    var respawns: Int
    /// Items of each batch (the 10,000).
    var batchItems: Int
    /// The batch parallelisms measured.
    var parallelisms = [1, 2, 8]
    /// Timed one-token completions, each way.
    var shortCompletions: Int
    /// Timed 64-token completions, each way.
    var longCompletions: Int
    /// Timed streamed completions, each way.
    var streams: Int

    /// The plan for a full or a quick run.
    init(quick: Bool) {
        if quick {
            sequentialCalls = 1_000; warmUpCalls = 200; throughputSeconds = 0.5; rssRuns = 2_000
            bulkRuns = 20_000; listCalls = 20; respawns = 3; batchItems = 200
            shortCompletions = 2; longCompletions = 1; streams = 1
        } else {
            sequentialCalls = 20_000; warmUpCalls = 2_000; throughputSeconds = 4; rssRuns = 100_000
            bulkRuns = 1_000_000; listCalls = 300; respawns = 20; batchItems = 10_000
            shortCompletions = 20; longCompletions = 6; streams = 6
        }
    }
}
