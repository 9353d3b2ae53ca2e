extension Logger {
    /// How much a line matters; lines below the logger's level are not written.
    public enum Level: String, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        /// Whether `lhs` matters less than `rhs`, in the order of the cases.
        public static func < (lhs: Level, rhs: Level) -> Bool {
            lhs.rank < rhs.rank
        }

        /// The syslog priority of a line of this level, which leads it in the journal: 7
        /// (`LOG_DEBUG`), 6 (`LOG_INFO`), 4 (`LOG_WARNING`), 3 (`LOG_ERR`).
        public var syslogPriority: Int {
            switch self {
            case .debug: 7
            case .info: 6
            case .warning: 4
            case .error: 3
            }
        }

        /// The position of the level, from `debug` (0) up.
        private var rank: Int {
            Self.allCases.firstIndex(of: self)!
        }
    }
}
