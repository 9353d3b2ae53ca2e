/// How a transaction takes SQLite's locks.
enum TransactionKind: String, Sendable {
    /// `BEGIN DEFERRED`: locks are taken on first use. Right for reads: a consistent snapshot
    /// that never waits for a writer in WAL mode.
    case deferred = "DEFERRED"
    /// `BEGIN IMMEDIATE`: the write lock is taken at once, so that a read-then-write body never
    /// fails half-way with `SQLITE_BUSY` because another connection wrote in between.
    case immediate = "IMMEDIATE"
}
