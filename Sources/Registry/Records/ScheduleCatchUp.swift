/// What a schedule does, when the daemon starts, about the fire times that passed while it
/// was down.
public enum ScheduleCatchUp: String, Sendable, CaseIterable {
    /// Records them as missed and waits for the next fire time.
    case skip
    /// Fires once for them at start-up (as systemd's `Persistent=`), recording the others as
    /// missed.
    case once
}
