import JSONRPC
import Registry
import SkillhostProtocol
import Synchronization

/// The connections that called `skills.watch`, each sent `skills.changed` whenever a skill
/// is installed, replaced or removed, for as long as it stays open.
final class SkillWatchers: Sendable {
    /// A `Mutex`: connections subscribe from their requests' tasks while installs and
    /// removals of other connections announce changes.
    private let connections = Mutex<Set<JSONRPCConnectionHandle>>([])

    /// Sends `connection` every change from now on.
    func subscribe(_ connection: JSONRPCConnectionHandle) {
        connections.withLock { connections in
            connections = connections.filter(\.isOpen)
            connections.insert(connection)
        }
    }

    /// Tells every open watcher that `skill` was installed, replaced or removed, as `change` says.
    func announce(_ change: SkillsChangedNotification.Change, _ skill: SkillRecord) {
        let watchers = connections.withLock { connections in
            connections = connections.filter(\.isOpen)
            return connections
        }
        let notification = SkillsChangedNotification(change: change, name: skill.name, version: skill.version)
        for watcher in watchers { watcher.notify(notification) }
    }
}
