import CSystemShims
import Glibc

/// One datagram to a Unix datagram socket, from a socket made for it and closed after it:
/// the way `sd_notify(3)` talks to a service manager, with no descriptor kept open between
/// messages that code in the process could close or replace.
package enum UnixDatagram {
    /// Sends `bytes` in one datagram to the socket `address`: a path, or `@name` for an
    /// abstract name.
    /// - Throws: ``SystemCallError`` of `socket` or `sendto` (``Errno/connectionRefused`` when
    ///   nothing is bound there any more, ``Errno/noSuchFileOrDirectory`` for a path that is gone).
    package static func send(_ bytes: [UInt8], to address: String) throws(SystemCallError) {
        let socket = FileDescriptor(adopting: try retryingOnInterrupt("socket(AF_UNIX, SOCK_DGRAM)") {
            cshim_unix_datagram_socket()
        })
        let name = Array(address.utf8)
        try retryingOnInterrupt("sendto", path: address) {
            bytes.withUnsafeBytes { message in
                name.withUnsafeBufferPointer { name in
                    name.withMemoryRebound(to: CChar.self) { name in
                        cshim_send_unix_datagram(socket.rawValue, name.baseAddress, name.count, message.baseAddress, message.count)
                    }
                }
            }
        }
    }
}
