import Glibc

/// Whether a descriptor is the journal's stream: systemd connects a service's standard output
/// and error to the journal and sets `JOURNAL_STREAM` to `DEVICE:INODE` of that stream, so that
/// the service can tell whether what it writes there reaches the journal (and was not
/// redirected since, by a shell or a test harness) and then lead each line with its priority.
public enum JournalStream {
    /// `JOURNAL_STREAM` of this process's environment now; nil when it is not set.
    public static var variable: String? {
        getenv("JOURNAL_STREAM").map { String(cString: $0) }
    }

    /// Whether `descriptor` is the stream `journalStream` (`DEVICE:INODE`, decimal, as systemd
    /// writes it) names: the device and inode of what `fstat(2)` finds open there. False when
    /// the variable is nil or malformed, or the descriptor is not open.
    public static func isJournal(_ descriptor: Int32, journalStream: String?) -> Bool {
        guard let parts = journalStream?.split(separator: ":"), parts.count == 2,
              let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }
}
