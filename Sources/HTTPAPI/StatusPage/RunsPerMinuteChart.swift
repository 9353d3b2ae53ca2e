import Foundation

/// The status page's chart: one bar per minute, the height of each its count of runs, as
/// inline SVG; each bar's title tells its minute (UTC) and count.
struct RunsPerMinuteChart {
    /// The counts, oldest minute first.
    let counts: [Int]
    /// When the last minute ends.
    let endingAt: Date

    private static let barWidth = 10, barGap = 2, plotTop = 14, plotHeight = 80, labelHeight = 16

    /// The chart.
    var svg: String {
        let width = counts.count * Self.barWidth
        let height = Self.plotTop + Self.plotHeight + Self.labelHeight
        let highest = max(counts.max() ?? 0, 1)
        let bars = counts.enumerated().map { index, count in
            let barHeight = count == 0 ? 0 : max(1, count * Self.plotHeight / highest)
            let minute = minuteLabel(minutesBeforeEnd: counts.count - 1 - index)
            return "<rect x=\"\(index * Self.barWidth)\" y=\"\(Self.plotTop + Self.plotHeight - barHeight)\" "
                + "width=\"\(Self.barWidth - Self.barGap)\" height=\"\(barHeight)\">"
                + "<title>\(minute) UTC: \(count) run\(count == 1 ? "" : "s")</title></rect>"
        }.joined()
        let axis = Self.plotTop + Self.plotHeight
        let baseline = axis + Self.labelHeight - 3
        return """
            <svg class="chart" role="img" aria-label="runs per minute" width="\(width)" height="\(height)" \
            viewBox="0 0 \(width) \(height)" xmlns="http://www.w3.org/2000/svg">\
            <line x1="0" y1="\(axis)" x2="\(width)" y2="\(axis)" stroke="#dde1e7"/>\(bars)\
            <text x="0" y="\(baseline)">\(counts.count) min ago</text>\
            <text x="\(width)" y="\(baseline)" text-anchor="end">now</text>\
            <text x="0" y="10">at most \(counts.max() ?? 0) a minute</text></svg>
            """
    }

    /// `HH:MM` (UTC) of the start of the minute that ends `minutesBeforeEnd` minutes before
    /// ``endingAt``.
    private func minuteLabel(minutesBeforeEnd: Int) -> String {
        let minuteOfDay = (Int(endingAt.timeIntervalSince1970 / 60) - minutesBeforeEnd - 1) % (24 * 60)
        return String(format: "%02d:%02d", minuteOfDay / 60, minuteOfDay % 60)
    }
}
