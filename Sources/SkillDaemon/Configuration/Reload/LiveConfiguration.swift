import Synchronization

/// The configuration in force, shared by the parts of the daemon that read their settings
/// as they work (a run its deadlines and limits, an install the default isolation): a
/// reload replaces it, and what starts afterwards sees the new one.
///
/// A `Mutex` rather than an actor: readers are synchronous (a run checks its limits before
/// it suspends for the first time), and each holds the lock for one copy.
public final class LiveConfiguration: Sendable {
    private let configuration: Mutex<DaemonConfiguration>

    /// Holds `configuration` until it is replaced.
    public init(_ configuration: DaemonConfiguration) {
        self.configuration = Mutex(configuration)
    }

    /// The configuration in force now.
    public var current: DaemonConfiguration {
        configuration.withLock { $0 }
    }

    /// Puts `replacement` in force.
    public func replace(with replacement: DaemonConfiguration) {
        configuration.withLock { $0 = replacement }
    }
}
