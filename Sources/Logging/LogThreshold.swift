import Synchronization

/// The level of a ``Logger`` and of all its copies: an atomic, since every thread that logs
/// reads it on every line, and a reload may set it at any time.
final class LogThreshold: Sendable {
    /// The level's position in ``Logger/Level/allCases``.
    private let rank: Atomic<Int>

    /// A threshold at `level`.
    init(_ level: Logger.Level) {
        rank = Atomic(Self.rank(of: level))
    }

    /// The lowest level written.
    var level: Logger.Level {
        get { Logger.Level.allCases[rank.load(ordering: .relaxed)] }
        set { rank.store(Self.rank(of: newValue), ordering: .relaxed) }
    }

    /// Where `level` is in ``Logger/Level/allCases``.
    private static func rank(of level: Logger.Level) -> Int {
        Logger.Level.allCases.firstIndex(of: level)!
    }
}
