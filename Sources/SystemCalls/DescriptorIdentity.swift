import Glibc

/// What one descriptor of this process refers to, taken when it was opened: its number and
/// the device and inode of its file, so that code run in this process (an in-process skill)
/// that closes it, or closes it and opens another file under its number, can be noticed.
package struct DescriptorIdentity: Sendable, Equatable {
    /// What it is to the process, for messages: "the listening socket /run/skillhostd.sock".
    package let role: String
    /// Its number.
    package let descriptor: Int32
    private let device: UInt64
    private let inode: UInt64

    /// The identity of `descriptor` now, as `role`.
    /// - Throws: ``SystemCallError`` of `fstat` (``Errno/badFileDescriptor`` for one not open).
    package init(of descriptor: Int32, role: String) throws(SystemCallError) {
        let status = try Self.status(of: descriptor)
        self.role = role
        self.descriptor = descriptor
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    /// Why the descriptor is no longer the one it was: "descriptor 7 (the listening socket
    /// /run/s.sock) was closed" or "... now refers to another file"; nil while it is intact.
    package var loss: String? {
        do throws(SystemCallError) {
            let status = try Self.status(of: descriptor)
            guard UInt64(status.st_dev) == device, UInt64(status.st_ino) == inode else {
                return "descriptor \(descriptor) (\(role)) was closed and its number now refers to another file"
            }
            return nil
        } catch {
            return error.errno == .badFileDescriptor
                ? "descriptor \(descriptor) (\(role)) was closed" : "descriptor \(descriptor) (\(role)): \(error)"
        }
    }

    private static func status(of descriptor: Int32) throws(SystemCallError) -> stat {
        var status = stat()
        try retryingOnInterrupt("fstat(\(descriptor))") { fstat(descriptor, &status) }
        return status
    }
}
