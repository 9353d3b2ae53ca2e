import Foundation
import Glibc
import JSON
import SkillhostModel
import SystemCalls

/// skillhost's log, on standard error by default: one JSON object per line,
/// `{"ts": ..., "level": ..., "msg": ..., ...fields}`, or in ``Format/text`` a line for people,
/// `2026-12-04T18:00:00.000Z info skillhostd is serving pid=12 socket=/run/skillhost/skillhostd.sock`.
/// When the destination is the journal's stream (``JournalStream``), every line starts with
/// its syslog priority (`<6>` for info), which the journal reads and strips. Never give it
/// secrets: fields are written as they are.
///
/// A line's message and fields are autoclosures, evaluated only when the line reaches the
/// logger's level, so a debug line costs one comparison while debug is off.
///
/// The level is shared by every copy of a logger: setting it (as a reload of the daemon's
/// configuration does) changes what every part of the program that was handed a copy writes.
public struct Logger: Sendable {
    /// The lowest level written, by this logger and every copy of it.
    public var level: Level {
        get { threshold.level }
        nonmutating set { threshold.level = newValue }
    }
    /// The level, shared by the copies.
    private let threshold: LogThreshold
    /// How lines are written.
    public var format: Format
    /// Whether every line starts with its syslog priority: the destination is the journal.
    public let writesToJournal: Bool
    /// Where lines are written. The logger neither owns nor closes it.
    private let destination: Int32

    /// Creates a logger that writes lines at `level` and above to `destination` in `format`,
    /// with priority prefixes when `journalStream` (the `JOURNAL_STREAM` variable, this
    /// process's by default) names `destination`.
    public init(level: Level = .info, format: Format = .json, destination: Int32 = STDERR_FILENO,
                journalStream: String? = JournalStream.variable) {
        self.threshold = LogThreshold(level)
        self.format = format
        self.destination = destination
        writesToJournal = JournalStream.isJournal(destination, journalStream: journalStream)
    }

    /// Whether a line of `severity` is written.
    public func isEnabled(_ severity: Level) -> Bool {
        severity >= level
    }

    /// Writes one line with `message` and `fields`, if `severity` reaches the logger's level;
    /// otherwise neither is evaluated. A field named `ts`, `level` or `msg` is replaced by
    /// the line's own.
    public func log(_ severity: Level, _ message: @autoclosure () -> String,
                    _ fields: @autoclosure () -> [String: JSONValue] = [:]) {
        guard isEnabled(severity) else { return }
        var line = writesToJournal ? Array("<\(severity.syslogPriority)>".utf8) : []
        line += format.line(time: Date().iso8601, level: severity, message: message(), fields: fields())
        write(line)
    }

    /// Writes a debug line.
    public func debug(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> [String: JSONValue] = [:]) {
        log(.debug, message(), fields())
    }

    /// Writes an info line.
    public func info(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> [String: JSONValue] = [:]) {
        log(.info, message(), fields())
    }

    /// Writes a warning line.
    public func warning(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> [String: JSONValue] = [:]) {
        log(.warning, message(), fields())
    }

    /// Writes an error line.
    public func error(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> [String: JSONValue] = [:]) {
        log(.error, message(), fields())
    }

    /// Writes `bytes`, continuing after a partial or interrupted write; the rest of a line the
    /// destination refuses (closed, full disk) is dropped, since a log line must never stop
    /// the work it describes.
    private func write(_ bytes: [UInt8]) {
        FileDescriptor.withUnowned(destination) { descriptor in
            try? descriptor.writeAll(bytes)
        }
    }
}
