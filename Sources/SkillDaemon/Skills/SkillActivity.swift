import JSON
import Registry
import SkillhostModel
import Synchronization

/// What each skill version did since the daemon started, and the gate of its new runs: a
/// run is admitted (``admit(_:)``) under the same lock that `skills.disable` and
/// `skills.drain` close the gate with (``close(_:)``), so a drain that counted the runs in
/// flight counts every run that will ever start before `skills.enable`.
///
/// A `Mutex`: each run changes it twice, never across a suspension, and the counters and
/// the gate must change together.
public final class SkillActivity: Sendable {
    /// How many of the latest durations of a skill its percentiles are taken over.
    public static let durationSampleSize = 1024

    /// A skill version: `name@version`.
    public struct Key: Hashable, Sendable, CustomStringConvertible {
        /// The skill's name.
        public var name: String
        /// Its version.
        public var version: String

        /// The key of `skill`.
        public init(_ skill: SkillRecord) {
            self.init(name: skill.name, version: skill.version)
        }

        /// The key of `name@version`.
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }

        /// `name@version`.
        public var description: String { "\(name)@\(version)" }
    }

    /// One skill version's counters since the daemon started.
    public struct Counters: Sendable, Equatable {
        /// Runs waiting for room to start; the daemon refuses a run it has no room for, so 0.
        public var queued = 0
        /// Runs admitted and not yet ended.
        public var inFlight = 0
        /// Runs that ended, whatever their status.
        public var finished = 0
        /// Of those, the ones that did not succeed.
        public var failed = 0
        /// The median duration of the latest runs that ended (at most ``SkillActivity/durationSampleSize``); nil before the first.
        public var p50: Duration?
        /// Their 99th percentile duration; nil before the first.
        public var p99: Duration?

        /// The counters of a skill version that has not run: every one 0.
        public init() {}
    }

    private struct Entry {
        var refusing = false
        var counters = Counters()
        /// The latest durations, a ring of at most ``SkillActivity/durationSampleSize``.
        var durations: [Duration] = []
        var nextDuration = 0
        /// Called once when ``Counters/inFlight`` comes to 0.
        var idleWaiters: [@Sendable () -> Void] = []

        mutating func record(_ duration: Duration) {
            if durations.count < SkillActivity.durationSampleSize {
                durations.append(duration)
            } else {
                durations[nextDuration] = duration
            }
            nextDuration = (nextDuration + 1) % SkillActivity.durationSampleSize
        }

        var snapshot: Counters {
            var counters = counters
            let sorted = durations.sorted()
            counters.p50 = Self.percentile(50, of: sorted)
            counters.p99 = Self.percentile(99, of: sorted)
            return counters
        }

        /// The nearest-rank percentile of `sorted`.
        private static func percentile(_ percent: Int, of sorted: [Duration]) -> Duration? {
            guard !sorted.isEmpty else { return nil }
            let rank = (percent * sorted.count + 99) / 100
            return sorted[max(0, rank - 1)]
        }
    }

    private let entries = Mutex<[Key: Entry]>([:])

    /// An empty store: every gate open, every counter 0.
    public init() {}

    /// Admits a run of `skill`, counting it in flight, or refuses it when `skill` is not
    /// enabled in the registry or its gate was closed since it was read.
    /// - Throws: `skill_disabled`, with the command that enables it.
    public func admit(_ skill: SkillRecord) throws(ServiceError) {
        let key = Key(skill)
        let admitted = entries.withLock { entries in
            guard skill.state.acceptsRuns, entries[key]?.refusing != true else { return false }
            entries[key, default: Entry()].counters.inFlight += 1
            return true
        }
        guard admitted else { throw Self.refusal(key) }
    }

    /// Refuses `skill` as ``admit(_:)`` would, without admitting a run: how `batches.start`
    /// refuses a batch of a skill that takes no runs.
    /// - Throws: `skill_disabled`, with the command that enables it.
    public func checkAccepting(_ skill: SkillRecord) throws(ServiceError) {
        let key = Key(skill)
        let refusing = entries.withLock { $0[key]?.refusing == true }
        guard skill.state.acceptsRuns, !refusing else { throw Self.refusal(key) }
    }

    /// Counts the end of a run of `key` that ``admit(_:)`` admitted: `succeeded` or not,
    /// and its duration when it ran.
    public func end(_ key: Key, succeeded: Bool, duration: Duration?) {
        let waiters = entries.withLock { entries -> [@Sendable () -> Void] in
            var entry = entries[key, default: Entry()]
            entry.counters.inFlight -= 1
            entry.counters.finished += 1
            if !succeeded { entry.counters.failed += 1 }
            if let duration { entry.record(duration) }
            var waiters: [@Sendable () -> Void] = []
            if entry.counters.inFlight == 0 { swap(&waiters, &entry.idleWaiters) }
            entries[key] = entry
            return waiters
        }
        for waiter in waiters { waiter() }
    }

    /// Closes the gate of `key`: no run of it is admitted until ``open(_:)``. Returns the
    /// runs of it in flight now.
    @discardableResult
    public func close(_ key: Key) -> Int {
        entries.withLock { entries in
            entries[key, default: Entry()].refusing = true
            return entries[key]?.counters.inFlight ?? 0
        }
    }

    /// Opens the gate of `key` again (`skills.enable`, or the skill removed); the registry's
    /// state still decides.
    public func open(_ key: Key) {
        entries.withLock { entries in entries[key]?.refusing = false }
    }

    /// Returns once no run of `key` is in flight, or after `timeout`; answers whether none is.
    public func waitUntilIdle(_ key: Key, timeout: Duration) async -> Bool {
        let idle = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let alreadyIdle = entries.withLock { entries in
            guard let entry = entries[key], entry.counters.inFlight > 0 else { return true }
            entries[key]?.idleWaiters.append { idle.continuation.yield(); idle.continuation.finish() }
            return false
        }
        guard !alreadyIdle else { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in idle.stream { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            idle.continuation.finish()
            group.cancelAll()
            return first
        }
    }

    /// The counters of `key` since the daemon started.
    public func counters(_ key: Key) -> Counters {
        entries.withLock { $0[key]?.snapshot } ?? Counters()
    }

    private static func refusal(_ key: Key) -> ServiceError {
        ServiceError(.skillDisabled, "skill \(key) is disabled and takes no new runs: enable it with `skillctl skills enable \(key.name)`",
                     extra: ["skill": .string(key.name), "version": .string(key.version)])
    }
}
