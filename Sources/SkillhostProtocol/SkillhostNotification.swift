import JSON
import JSONRPC

/// A notification skillhostd sends a client while one of its requests runs
/// (docs/PROTOCOL.md), declared once: its name, its params (the conforming type's own
/// members) and a line saying when it is sent.
public protocol SkillhostNotification: Codable, Sendable {
    /// The notification's name on the wire: `run.output`.
    static var method: String { get }
    /// When the daemon sends it, in one line.
    static var summary: String { get }
}

extension SkillhostNotification {
    /// The notification `method` and `params` carry, if `method` is this one and the params
    /// are its own; `nil` otherwise (another notification, or one from a newer daemon
    /// this client cannot read).
    public init?(method: String, params: JSONValue?) {
        guard method == Self.method, let params,
              let notification = try? JSONValueDecoder(unknownMembers: .ignore).decode(Self.self, from: params)
        else { return nil }
        self = notification
    }
}

extension JSONRPCConnectionHandle {
    /// Sends the client `notification`. Like every notification, it is dropped if the
    /// client has gone.
    public func notify<Notification: SkillhostNotification>(_ notification: Notification) {
        // Notifications are made of strings, integers, numbers and JSON values, which
        // always encode; one that did not would be dropped like one to a client that left.
        guard let params = try? JSONValueEncoder(nilMembers: .null).encode(notification) else { return }
        notify(method: Notification.method, params: params)
    }
}
