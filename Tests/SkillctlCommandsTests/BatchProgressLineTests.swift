import Foundation
import JSON
@testable import SkillctlCommands
import SkillhostProtocol
import Synchronization
import Testing

/// The progress `batch start` and `batch wait` show: plain lines where standard error is
/// not a terminal, a redrawn line whose last frame has the final counts where it is.
@Suite("batch progress")
struct BatchProgressLineTests {
    /// What a progress line wrote, in order.
    private final class Written: Sendable {
        private let pieces = Mutex<[String]>([])
        var text: String { pieces.withLock { $0.joined() } }
        func append(_ piece: String) { pieces.withLock { $0.append(piece) } }
    }

    private static func progress(ended: Int64, of total: Int64) -> BatchProgressNotification {
        BatchProgressNotification(batchID: 1, counts: ["done": ended, "pending": total - ended, "running": 0,
                                                       "failed": 0, "cancelled": 0],
                                  ratePerSecond: 2, secondsLeft: Double(total - ended) / 2)
    }

    private static let final: JSONValue = [
        "batch_id": 1, "status": "done", "items": 20,
        "counts": ["done": 20, "pending": 0, "running": 0, "failed": 0, "cancelled": 0],
    ]

    @Test("not on a terminal: the first progress, a line per tenth of the items ended, and a final line")
    func plainLines() {
        let written = Written()
        let line = BatchProgressLine(isTerminal: false, write: written.append)
        for ended in [0, 0, 0, 1, 2, 3, 4, 19] as [Int64] { line.show(Self.progress(ended: ended, of: 20)) }
        line.finish(with: Self.final)
        let lines = written.text.split(separator: "\n").map(String.init)
        #expect(lines.map { String($0.split(separator: " ")[1]) } == ["0/20", "2/20", "4/20", "19/20", "20/20"], "\(lines)")
        #expect(lines.last?.hasSuffix("items/s  done") == true, "the final line has the batch's status: \(lines)")
        #expect(written.text.hasSuffix("\n"))
        #expect(!written.text.contains("\r"))
    }

    @Test("on a terminal: one line redrawn in place, whose last frame shows the final count")
    func terminalFrames() {
        let written = Written()
        let line = BatchProgressLine(isTerminal: true, write: written.append)
        for ended in 0...19 as ClosedRange<Int64> { line.show(Self.progress(ended: ended, of: 20)) }
        line.finish(with: Self.final)
        let frames = written.text.split(separator: "\r").map(String.init)
        #expect(frames.count == 21, "20 frames of progress, then the final one")
        #expect(frames.last?.hasPrefix("\u{1B}[2K[########################] 20/20  20 done") == true, "\(frames.last ?? "")")
        #expect(written.text.hasSuffix("done\n"))
    }

    @Test("a plain line is due on the first progress, on each tenth, or after the interval with items ended")
    func plainLineIsDue() {
        let start = Date(timeIntervalSince1970: 0)
        #expect(BatchProgressLine.plainLineIsDue(ended: 0, total: 100, lastLine: nil, lastEnded: nil, now: start))
        #expect(!BatchProgressLine.plainLineIsDue(ended: 0, total: 100, lastLine: start, lastEnded: 0, now: start + 60),
                "nothing ended since: no new line, however long")
        #expect(!BatchProgressLine.plainLineIsDue(ended: 9, total: 100, lastLine: start, lastEnded: 0, now: start + 1))
        #expect(BatchProgressLine.plainLineIsDue(ended: 10, total: 100, lastLine: start, lastEnded: 9, now: start + 1))
        #expect(BatchProgressLine.plainLineIsDue(ended: 11, total: 100, lastLine: start, lastEnded: 10,
                                                 now: start + BatchProgressLine.plainInterval))
    }
}
