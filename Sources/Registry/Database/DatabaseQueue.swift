import Synchronization

/// The one way to reach a ``DatabaseConnection``: every use of it, from any thread or task, runs
/// while holding this queue's lock, one at a time.
///
/// A `Mutex` rather than an actor: callers include plain threads (the executor runs skills on
/// threads of their own) that cannot `await`, every SQLite call here is short and blocking
/// anyway, and a lock lets a check and what depends on it (no skill uses a file, so remove the
/// file) run as one critical section.
///
/// The class is `Sendable` without `@unchecked`: its only stored properties are a `String` and a
/// `Mutex`, and `Mutex` is `Sendable` whatever it protects, because the non-`Sendable`
/// connection is handed to a body only as `inout sending` while the lock is held, and the
/// compiler's region checking proves that no body keeps a reference to it afterwards.
final class DatabaseQueue: Sendable {
    /// The database file.
    let path: String
    /// Makes the checkpoints of the write-ahead log off the committing thread.
    let checkpointer: WALCheckpointer
    private let connection: Mutex<DatabaseConnection>

    /// Opens the database file at `path`, creating it if needed; its log is checkpointed in
    /// the background within `logLimits`.
    init(path: String, logLimits: WALCheckpointer.Limits = .standard) throws(DatabaseError) {
        self.path = path
        let connection = try DatabaseConnection(path: path)
        checkpointer = try WALCheckpointer(path: path, limits: logLimits)
        connection.delegateCheckpoints(to: checkpointer)
        self.connection = Mutex(connection)
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: committed when `body` returns, rolled
    /// back when it throws.
    func write<Value, Failure: DatabaseErrorRepresentable>(
        _ body: (inout sending DatabaseConnection) throws(Failure) -> sending Value
    ) throws(Failure) -> sending Value {
        try withConnection { (database) throws(Failure) -> sending Value in
            try DatabaseConnection.inTransaction(.immediate, on: &database, body)
        }
    }

    /// Runs `body` in a deferred transaction, so that all its queries see one snapshot.
    func read<Value, Failure: DatabaseErrorRepresentable>(
        _ body: (inout sending DatabaseConnection) throws(Failure) -> sending Value
    ) throws(Failure) -> sending Value {
        try withConnection { (database) throws(Failure) -> sending Value in
            try DatabaseConnection.inTransaction(.deferred, on: &database, body)
        }
    }

    /// Runs `body` with exclusive use of the connection and no transaction of its own, for a
    /// sequence of transactions and other work that no other caller may interleave with.
    ///
    /// The connection is passed `inout sending`: `body` may use it but cannot keep it.
    func withConnection<Value, Failure: Error>(
        _ body: (inout sending DatabaseConnection) throws(Failure) -> sending Value
    ) throws(Failure) -> sending Value {
        try connection.withLock { (database: inout sending DatabaseConnection) throws(Failure) -> sending Value in
            try body(&database)
        }
    }
}
