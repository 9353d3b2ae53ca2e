import Foundation

extension CronExpression {
    /// How many years past the starting point a search for the next fire time looks. Any
    /// month and day a parsed expression allows recurs with every weekday within the
    /// Gregorian calendar's 400-year cycle, so only dates beyond `Date`'s useful range end
    /// a search without a result.
    static let searchHorizonYears: Int64 = 401

    /// The first time after `date` (strictly) at which the expression fires in `timeZone`,
    /// or `nil` if there is none within 400 years (only possible near the end of `Date`'s
    /// range: a parsed expression always fires again).
    ///
    /// Daylight-saving transitions follow Debian cron's documented rules (cron(8),
    /// "DAYLIGHT SAVING TIME"):
    /// - A job at a fixed wall-clock time (neither the minute nor the hour field starts
    ///   with `*`) whose time is skipped by a spring-forward fires once, at the first
    ///   moment after the gap: `30 2 * * *` fires at 03:00 local on the night Europe/Berlin
    ///   springs forward. Several skipped times of one job give that one fire.
    /// - A fixed-time job whose time repeats at a fall-back fires once, at the first
    ///   occurrence (the one still in daylight-saving time).
    /// - A job whose minute or hour field starts with `*` (including `*/15` and `@hourly`)
    ///   fires whenever the local wall clock shows a matching time, so it keeps firing by
    ///   real elapsed time: wall-clock times skipped by a spring-forward do not fire, and
    ///   those repeated by a fall-back fire on both passes.
    ///
    /// Debian cron applies these rules to clock changes under 3 hours; here they apply to
    /// every offset change of the zone, including the rare larger ones.
    public func nextFire(after date: Date, in timeZone: TimeZone) -> Date? {
        let timeline = ZoneTimeline(timeZone: timeZone)
        let after = Int64(date.timeIntervalSince1970.rounded(.down))
        let lastYear = CivilTime.day(fromDayNumber: CivilTime.floorDivide(after, CivilTime.secondsPerDay)).year
            + Self.searchHorizonYears
        let instant = firesByElapsedTime
            ? nextElapsedTimeFire(after: after, timeline: timeline, lastYear: lastYear)
            : nextWallClockFire(after: after, timeline: timeline, lastYear: lastYear)
        return instant.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The next `count` fire times after `date` in `timeZone`, earliest first; fewer only
    /// when ``nextFire(after:in:)`` finds none.
    public func nextFireTimes(after date: Date, in timeZone: TimeZone, count: Int) -> [Date] {
        var times: [Date] = []
        var previous = date
        while times.count < count, let next = nextFire(after: previous, in: timeZone) {
            times.append(next)
            previous = next
        }
        return times
    }

    // MARK: Daylight-saving rules

    /// A wildcard job: the first instant after `after` whose local time matches. Each span
    /// of constant offset is searched in turn, so gaps never match and repeated local times
    /// match once in each span.
    private func nextElapsedTimeFire(after: Int64, timeline: ZoneTimeline, lastYear: Int64) -> Int64? {
        var span = timeline.span(containing: after)
        var searchFrom = after + span.offset + 1
        var cached: (from: Int64, match: Int64)?
        while true {
            let match: Int64
            if let cached, cached.from <= searchFrom, searchFrom <= cached.match {
                match = cached.match
            } else {
                guard let found = firstLocalMatch(atOrAfter: searchFrom, lastYear: lastYear) else { return nil }
                match = found
                cached = (searchFrom, found)
            }
            if span.localEnd.map({ match < $0 }) ?? true { return match - span.offset }
            guard let next = timeline.span(after: span) else { return nil }
            span = next
            searchFrom = span.localStart
        }
    }

    /// A fixed-time job: each matching local time fires once, at its first occurrence, or
    /// at the end of the gap that skips it. That mapping never runs backwards, so the answer
    /// is the first matching local time whose instant is after `after`. The search starts
    /// low enough to see local times that a fall-back within the next two days repeats.
    private func nextWallClockFire(after: Int64, timeline: ZoneTimeline, lastYear: Int64) -> Int64? {
        var span = timeline.span(containing: after)
        var searchFrom = after + span.offset + 1
        while let end = span.end, end <= after + 2 * CivilTime.secondsPerDay, let next = timeline.span(after: span) {
            span = next
            searchFrom = min(searchFrom, span.localStart)
        }
        while let local = firstLocalMatch(atOrAfter: searchFrom, lastYear: lastYear) {
            let instant = firstInstant(showing: local, timeline: timeline)
            if instant > after { return instant }
            searchFrom = local + 60
        }
        return nil
    }

    /// The first instant whose local time is `local`, or, when a gap skips `local`, the
    /// first instant after the gap.
    private func firstInstant(showing local: Int64, timeline: ZoneTimeline) -> Int64 {
        // Every UTC offset is under a day, so any instant showing `local` comes after this.
        var span = timeline.span(containing: local - 2 * CivilTime.secondsPerDay)
        while true {
            if local < span.localStart { return span.start }
            if span.localEnd.map({ local < $0 }) ?? true { return local - span.offset }
            guard let next = timeline.span(after: span) else { return local - span.offset }
            span = next
        }
    }

    // MARK: Calendar search

    /// The first local time (in local seconds, see `CivilTime`) at or after `start`, on a
    /// whole minute, that the five fields match; `nil` past the end of `lastYear`.
    func firstLocalMatch(atOrAfter start: Int64, lastYear: Int64) -> Int64? {
        let firstMinute = CivilTime.floorDivide(start + 59, 60)
        var dayNumber = CivilTime.floorDivide(firstMinute, 1440)
        let minuteOfDay = Int(firstMinute - dayNumber * 1440)
        var date = CivilTime.day(fromDayNumber: dayNumber)
        var hour = minuteOfDay / 60
        var minute = minuteOfDay % 60
        func startOfNextDay() {
            dayNumber += 1
            date = CivilTime.day(fromDayNumber: dayNumber)
            hour = 0
            minute = 0
        }
        while date.year <= lastYear {
            guard months.contains(date.month) else {
                if let month = months.first(atOrAfter: date.month + 1) {
                    date = CivilTime.Day(year: date.year, month: month, day: 1)
                } else {
                    date = CivilTime.Day(year: date.year + 1, month: months.first(atOrAfter: 1) ?? 1, day: 1)
                }
                dayNumber = CivilTime.dayNumber(date)
                hour = 0
                minute = 0
                continue
            }
            guard dayMatches(date, dayNumber: dayNumber), let matchingHour = hours.first(atOrAfter: hour) else {
                startOfNextDay()
                continue
            }
            if matchingHour != hour {
                hour = matchingHour
                minute = 0
            }
            guard let matchingMinute = minutes.first(atOrAfter: minute) else {
                hour += 1
                minute = 0
                continue
            }
            return (dayNumber * 1440 + Int64(hour * 60 + matchingMinute)) * 60
        }
        return nil
    }

    /// Whether the day fields match `date`, by Vixie cron's either-or-both rule.
    private func dayMatches(_ date: CivilTime.Day, dayNumber: Int64) -> Bool {
        let dayOfMonthMatches = daysOfMonth.contains(date.day)
        let dayOfWeekMatches = daysOfWeek.contains(CivilTime.weekday(ofDayNumber: dayNumber))
        return daysMustMatchBoth
            ? dayOfMonthMatches && dayOfWeekMatches
            : dayOfMonthMatches || dayOfWeekMatches
    }
}
