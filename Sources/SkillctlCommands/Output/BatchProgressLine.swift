import Foundation
import Glibc
import JSON
import SkillhostProtocol
import Synchronization

/// The progress bar of `batch start` on standard error: redrawn in place with `\r` when
/// standard error is a terminal, else one line every few seconds (for logs).
final class BatchProgressLine: Sendable {
    private static let width = 24
    private static let plainInterval: TimeInterval = 3
    private let isTerminal = isatty(STDERR_FILENO) == 1
    /// When the last plain line was written, and whether a terminal line is on screen. A
    /// `Mutex`: notifications arrive on the client's reader thread.
    private let state = Mutex<(lastPlainLine: Date?, drawn: Bool)>((nil, false))

    /// Shows a `batch.progress` notification.
    func show(_ progress: BatchProgressNotification) {
        let line = Self.render(progress)
        state.withLock { state in
            if isTerminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
                state.drawn = true
            } else if state.lastPlainLine.map({ Date().timeIntervalSince($0) >= Self.plainInterval }) ?? true {
                FileHandle.standardError.write(Data((line + "\n").utf8))
                state.lastPlainLine = Date()
            }
        }
    }

    /// Ends the line on a terminal, so that what follows starts on a line of its own.
    func finish() {
        state.withLock { state in
            if state.drawn { FileHandle.standardError.write(Data("\n".utf8)) }
            state.drawn = false
        }
    }

    /// `[#########---------]  35/120 done  1 failed  84 pending  3.2 items/s  ETA 26s`.
    static func render(_ progress: BatchProgressNotification) -> String {
        func count(_ name: String) -> Int64 { progress.counts[name] ?? 0 }
        let ended = count("done") + count("failed") + count("cancelled")
        let total = ended + count("pending") + count("running")
        let filled = total > 0 ? Int(Int64(width) * ended / total) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let rate = progress.ratePerSecond
        let eta = progress.secondsLeft.map { "ETA \(Formatting.duration(milliseconds: $0 * 1000))" } ?? "ETA -"
        return "[\(bar)] \(ended)/\(total)  \(count("done")) done  \(count("failed")) failed  "
            + "\(count("pending") + count("running")) pending  \(String(format: "%.1f", rate)) items/s  \(eta)"
    }
}
