/// How a skill's code is run: the isolation strategy behind every invocation.
///
/// A runner resumes its caller exactly once, with the first of: the skill returning, a
/// trapped CSI call, the deadline, or a cancel of the calling task. It never throws: every
/// way an invocation can end is an `InvocationReport`.
public protocol SkillRunner: Sendable {
    /// Runs `invocation` against the installed skill file `skillPath` (content-addressed by `sha256`).
    func run(skillPath: String, sha256: String, invocation: Invocation) async -> InvocationReport

    /// Drops what the runner keeps for the skill with this hash (a loaded instance, workers),
    /// once runs in flight are done with it.
    func evict(sha256: String)
}
