/// A value that can be read from the current row of a ``Statement``.
protocol FetchableRecord {
    /// Reads the value from the current row; the columns are those of the query that produced it.
    init(row: Statement) throws(DatabaseError)
}
