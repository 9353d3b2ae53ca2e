import Synchronization

/// The answers of ``Registry/skill(named:version:)``, kept until the registry changes a
/// skill, so that resolving the skill of every run does not take the database lock (which
/// the group commit of run records holds while it writes).
///
/// Consistency: answers are stored while the database lock is held, and every change of a
/// skill empties the cache under that same lock before its transaction commits, so an answer
/// is never older than the last change made through this registry. Changes made by another
/// process (or another ``Registry`` on the same file) are not seen: the daemon is the only
/// writer of its registry.
final class SkillLookupCache: Sendable {
    /// A lookup: a name, and a version or nil for the highest.
    private struct Key: Hashable {
        var name: String
        var version: String?
    }

    /// More distinct lookups than this (names that are not installed, say) empty the cache
    /// rather than grow it.
    static let capacity = 1_024

    private let answers = Mutex<[Key: SkillRecord?]>([:])

    /// The stored answer for `name` at `version`: `.some(nil)` when the skill was not
    /// installed, nil when the lookup is not cached.
    func answer(name: String, version: String?) -> SkillRecord?? {
        answers.withLock { $0[Key(name: name, version: version)] }
    }

    /// Stores the answer for `name` at `version`; call with the database lock held.
    func store(_ skill: SkillRecord?, name: String, version: String?) {
        answers.withLock { answers in
            if answers.count >= Self.capacity { answers.removeAll() }
            answers[Key(name: name, version: version)] = .some(skill)
        }
    }

    /// Forgets every answer; call with the database lock held, before a change of the
    /// skills commits.
    func invalidate() {
        answers.withLock { $0.removeAll() }
    }
}
