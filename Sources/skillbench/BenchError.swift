/// Why skillbench could not measure something: what failed, with which input, and what to do.
struct BenchError: Error, CustomStringConvertible {
    /// The message shown to the user.
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
