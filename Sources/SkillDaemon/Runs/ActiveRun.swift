import Foundation

/// A run in flight, as `runs.active` and `skillctl ps` show it: what runs, for whom, since when.
public struct ActiveRun: Sendable, Equatable {
    /// The run's id.
    public var runID: Int64
    /// The skill's name.
    public var skill: String
    /// The skill's version.
    public var version: String
    /// The model its inference calls use when they name none; nil when there is none.
    public var model: String?
    /// Who started it: `rpc`, `schedule`, `batch`.
    public var trigger: String
    /// When it started.
    public var startedAt: Date
    /// The uid of the client that asked, from SO_PEERCRED (for a batch's or a schedule's
    /// run, the uid that started the batch or added the schedule).
    public var callerUID: UInt32?
    /// The pid of the client that asked, from SO_PEERCRED; nil for a batch's or a
    /// schedule's run, which no connection asked for itself.
    public var callerPID: Int32?
    /// The name of the token of the client that asked over HTTP (for a batch's or a
    /// schedule's run, the token that started it); nil for a client of the socket.
    public var callerToken: String?
    /// The batch whose item the run is an attempt of.
    public var batchID: Int64?
    /// The schedule whose fire started it.
    public var scheduleID: Int64?
}
