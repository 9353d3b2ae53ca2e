/// Why a scheduler request about a schedule failed.
public enum ScheduleFailure: Error, Sendable, CustomStringConvertible {
    /// No schedule has that id.
    case notFound(id: Int64)
    /// The registry failed.
    case registry(String)

    /// What failed and what to do.
    public var description: String {
        switch self {
        case let .notFound(id): "no schedule \(id): list schedules with `skillctl schedules`"
        case let .registry(reason): "cannot read or write the schedules in the registry: \(reason)"
        }
    }
}
