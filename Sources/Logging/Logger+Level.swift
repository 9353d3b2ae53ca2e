extension Logger {
    /// How much a line matters; lines below the logger's level are not written.
    public enum Level: String, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        /// Whether `lhs` matters less than `rhs`, in the order of the cases.
        public static func < (lhs: Level, rhs: Level) -> Bool {
            lhs.rank < rhs.rank
        }

        /// The position of the level, from `debug` (0) up.
        private var rank: Int {
            Self.allCases.firstIndex(of: self)!
        }
    }
}
