import JSONRPC
import ServiceManager
import SystemCalls

/// The socket the daemon serves: one its service manager passed (socket activation), or the
/// one it binds itself at its `socket` setting.
struct ServedSocket {
    /// The listener on the passed socket; nil when the daemon binds its own.
    let passed: UnixSocketListener?
    /// The passed socket's name (`FileDescriptorName=`), if it has one.
    let name: String?
    /// The socket's path, as clients, the log and `host.status` know it.
    let path: String
    /// The passed descriptors the daemon does not serve, which it closes.
    let unused: [SocketActivation.PassedDescriptor]

    /// The name that picks the daemon's socket among several passed ones: its socket unit's
    /// `FileDescriptorName=rpc`. A lone socket is served whatever its name.
    static let descriptorName = "rpc"

    /// The socket to serve: the one passed in `handover` (the one named ``descriptorName``
    /// when several were), checked to be a listening Unix stream socket; or, when none was
    /// passed, `configuredPath`, which the server binds.
    /// - Throws: ``DaemonError`` saying which descriptors were passed and why none can be served.
    static func choose(from handover: SocketActivation.Handover, configuredPath: String) throws(DaemonError) -> ServedSocket {
        let passed = handover.descriptors
        guard !passed.isEmpty else { return ServedSocket(passed: nil, name: nil, path: configuredPath, unused: []) }
        let chosen: SocketActivation.PassedDescriptor
        if passed.count == 1 {
            chosen = passed[0]
        } else {
            let named = passed.filter { $0.name == descriptorName }
            guard named.count == 1 else {
                let listed = passed.map { "\($0.descriptor) (\($0.name ?? "unnamed"))" }.joined(separator: ", ")
                throw DaemonError("the service manager passed \(passed.count) descriptors, \(listed), and \(named.count) of them "
                    + "named \(descriptorName): name the daemon's socket FileDescriptorName=\(descriptorName) in its socket unit")
            }
            chosen = named[0]
        }
        let listener: UnixSocketListener
        do {
            listener = try UnixSocketListener(adoptingListeningSocket: chosen.descriptor)
        } catch {
            throw DaemonError("\(error)")
        }
        return ServedSocket(passed: listener, name: chosen.name, path: listener.path,
                            unused: passed.filter { $0.descriptor != chosen.descriptor })
    }

    /// Closes the passed descriptors the daemon does not serve.
    func closeUnused() {
        for descriptor in unused {
            try? FileDescriptor(adopting: descriptor.descriptor).close()
        }
    }
}
