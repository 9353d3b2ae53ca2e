import Foundation
import Glibc
import JSON
import SkillhostProtocol
import Synchronization

/// The progress of a waited-for batch on standard error (`batch start`, `batch wait`).
///
/// On a terminal, one line redrawn in place with `\r`, whose last frame shows the batch's
/// final counts. Elsewhere (a log, a pipe), plain lines: the first progress, then one each
/// time another tenth of the items has ended or ``plainInterval`` has passed with items
/// ended since the last line, and a final line with the final counts.
final class BatchProgressLine: Sendable {
    private static let width = 24
    /// The longest a plain line waits for the next, while items end.
    static let plainInterval: TimeInterval = 10

    private struct State {
        /// When the last plain line was written.
        var lastPlainLine: Date?
        /// The ended count the last plain line showed.
        var lastPlainEnded: Int64?
        /// Whether a terminal line is on screen.
        var drawn = false
        /// The last rate the daemon sent, for the final line.
        var ratePerSecond = 0.0
    }

    private let isTerminal: Bool
    private let write: @Sendable (String) -> Void
    /// A `Mutex`: notifications arrive on the client's reader thread, the final line is
    /// written by the command's task.
    private let state = Mutex(State())

    /// A progress line on standard error, redrawn in place when it is a terminal; or, for
    /// tests, one that writes with `write` as if to a terminal or not.
    init(isTerminal: Bool = isatty(STDERR_FILENO) == 1,
         write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Shows a `batch.progress` notification.
    func show(_ progress: BatchProgressNotification) {
        let line = Self.render(counts: progress.counts, ratePerSecond: progress.ratePerSecond,
                               ending: progress.secondsLeft.map { "ETA \(Formatting.duration(milliseconds: $0 * 1000))" } ?? "ETA -")
        let ended = Self.ended(progress.counts)
        let total = Self.total(progress.counts)
        state.withLock { state in
            state.ratePerSecond = progress.ratePerSecond
            if isTerminal {
                write("\r\u{1B}[2K" + line)
                state.drawn = true
                return
            }
            guard Self.plainLineIsDue(ended: ended, total: total, state: state, now: Date()) else { return }
            write(line + "\n")
            state.lastPlainLine = Date()
            state.lastPlainEnded = ended
        }
    }

    /// Shows the batch's final counts from its final record (`batches.wait`'s answer):
    /// the terminal's last frame, or the last plain line, with the rate over the batch's
    /// whole life when the record says when it was created and finished.
    func finish(with batch: JSONValue) {
        let counts = (batch["counts"]?.objectValue ?? [:]).compactMapValues(\.int64Value)
        let lifetime = Formatting.instant(batch["finished_at"]?.stringValue ?? "").flatMap { finished in
            Formatting.instant(batch["created_at"]?.stringValue ?? "").map { finished.timeIntervalSince($0) }
        }
        state.withLock { state in
            let rate = lifetime.flatMap { $0 > 0 ? Double(Self.ended(counts)) / $0 : nil } ?? state.ratePerSecond
            let line = Self.render(counts: counts, ratePerSecond: rate, ending: Formatting.plain(batch["status"]))
            write((isTerminal ? "\r\u{1B}[2K" : "") + line + "\n")
            state = State()
        }
    }

    /// Ends the line on a terminal, so that what follows starts on a line of its own; for
    /// a wait that ended without a final record (an error).
    func finish() {
        state.withLock { state in
            if state.drawn { write("\n") }
            state = State()
        }
    }

    /// Whether a plain line is due: the first one, one more tenth of `total` ended since the
    /// last, or ``plainInterval`` passed with items ended since the last.
    static func plainLineIsDue(ended: Int64, total: Int64, lastLine: Date?, lastEnded: Int64?, now: Date) -> Bool {
        guard let lastLine, let lastEnded else { return true }
        guard ended > lastEnded else { return false }
        let tenth = { (count: Int64) in total > 0 ? count * 10 / total : 0 }
        return tenth(ended) > tenth(lastEnded) || now.timeIntervalSince(lastLine) >= plainInterval
    }

    private static func plainLineIsDue(ended: Int64, total: Int64, state: State, now: Date) -> Bool {
        plainLineIsDue(ended: ended, total: total, lastLine: state.lastPlainLine, lastEnded: state.lastPlainEnded, now: now)
    }

    /// `[#########---------]  35/120 done  1 failed  84 pending  3.2 items/s  ETA 26s`: the
    /// counts by state, the rate, and `ending` (the time left, or the final status).
    static func render(counts: [String: Int64], ratePerSecond: Double, ending: String) -> String {
        func count(_ name: String) -> Int64 { counts[name] ?? 0 }
        let ended = Self.ended(counts)
        let total = Self.total(counts)
        let filled = total > 0 ? Int(Int64(width) * ended / total) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "[\(bar)] \(ended)/\(total)  \(count("done")) done  \(count("failed")) failed  "
            + "\(count("pending") + count("running")) pending  \(String(format: "%.1f", ratePerSecond)) items/s  \(ending)"
    }

    private static func ended(_ counts: [String: Int64]) -> Int64 {
        ["done", "failed", "cancelled"].reduce(0) { $0 + (counts[$1] ?? 0) }
    }

    private static func total(_ counts: [String: Int64]) -> Int64 {
        ended(counts) + (counts["pending"] ?? 0) + (counts["running"] ?? 0)
    }
}
