import SkillhostModel

/// What runs a skill's code for one invocation, when the host can stop it: a worker process.
/// An ``InvocationMachine`` holds it while the invocation runs and hands it back through the
/// effects of its transitions.
package protocol InvocationExecutor: Sendable {
    /// Stops the skill's code at once (a worker: SIGKILL to its process group).
    func stop()

    /// Hands the executor back once the invocation is over with it, to serve another run
    /// when `reusable`; returns what it captured meanwhile (a worker's stdout and stderr),
    /// for the run's logs.
    func release(reusable: Bool) -> [RunLogLine]
}

/// The executor of an invocation whose skill runs on a thread of the host itself: a thread
/// cannot be stopped safely, nor handed back, so no value of this type exists; the skill's
/// code is done when its `run` returns.
package enum HostThread: InvocationExecutor {
    package func stop() {
        switch self {}
    }

    package func release(reusable: Bool) -> [RunLogLine] {
        switch self {}
    }
}
