import Foundation

/// Schedules: a skill run (or a batch) on a cron expression, and the record of every fire
/// time. Each method is one transaction.
extension Registry {
    /// Records a new, active schedule.
    public func createSchedule(_ schedule: NewSchedule) throws(RegistryError) -> ScheduleRecord {
        try database.write { (connection) throws(RegistryError) -> ScheduleRecord in
            let id = try ScheduleTable.insert(schedule, in: connection)
            guard let record = try ScheduleTable.find(id: id, in: connection) else { throw .scheduleNotFound(id: id) }
            return record
        }
    }

    /// The schedule with `id`, or `nil`.
    public func schedule(id: Int64) throws(RegistryError) -> ScheduleRecord? {
        try database.read { (connection) throws(RegistryError) -> ScheduleRecord? in
            try ScheduleTable.find(id: id, in: connection)
        }
    }

    /// Every schedule, oldest first.
    public func schedules() throws(RegistryError) -> [ScheduleRecord] {
        try database.read { (connection) throws(RegistryError) -> [ScheduleRecord] in
            try ScheduleTable.all(in: connection)
        }
    }

    /// Removes the schedule with `id` and the record of its fires; the runs and batches it
    /// started keep its id.
    ///
    /// - Returns: The removed schedule, or `nil` when there was none.
    public func removeSchedule(id: Int64) throws(RegistryError) -> ScheduleRecord? {
        try database.write { (connection) throws(RegistryError) -> ScheduleRecord? in
            guard let schedule = try ScheduleTable.find(id: id, in: connection) else { return nil }
            try ScheduleTable.delete(id: id, in: connection)
            return schedule
        }
    }

    /// Pauses or resumes the schedule with `id`, setting its next fire time (nil while paused).
    ///
    /// - Returns: The schedule as now stored, or `nil` when there is none.
    public func setSchedulePaused(id: Int64, _ paused: Bool, nextFireAt: Date?) throws(RegistryError) -> ScheduleRecord? {
        try database.write { (connection) throws(RegistryError) -> ScheduleRecord? in
            guard try ScheduleTable.find(id: id, in: connection) != nil else { return nil }
            try ScheduleTable.update(id: id, paused: paused, nextFireAt: nextFireAt, in: connection)
            return try ScheduleTable.find(id: id, in: connection)
        }
    }

    /// Records `fires` of the schedule with `id`, in order, and sets its next fire time; its
    /// last fire time becomes that of the latest fire that started work, if any did.
    ///
    /// - Returns: The schedule as now stored, or `nil` when it was removed meanwhile (nothing
    ///   is recorded then).
    @discardableResult
    public func recordScheduleFires(id: Int64, _ fires: [ScheduleFire], nextFireAt: Date?) throws(RegistryError) -> ScheduleRecord? {
        try database.write { (connection) throws(RegistryError) -> ScheduleRecord? in
            guard try ScheduleTable.find(id: id, in: connection) != nil else { return nil }
            for fire in fires {
                try ScheduleTable.insert(fire, scheduleID: id, in: connection)
            }
            let lastStarted = fires.filter { $0.outcome == .started }.map(\.firedAt).max()
            try ScheduleTable.update(id: id, lastFireAt: lastStarted, nextFireAt: nextFireAt, in: connection)
            return try ScheduleTable.find(id: id, in: connection)
        }
    }

    /// The last `limit` fires of the schedule with `id`, newest first; `nil` when there is no
    /// such schedule.
    public func scheduleFires(id: Int64, limit: Int = 20) throws(RegistryError) -> [ScheduleFire]? {
        try database.read { (connection) throws(RegistryError) -> [ScheduleFire]? in
            guard try ScheduleTable.find(id: id, in: connection) != nil else { return nil }
            return try ScheduleTable.fires(scheduleID: id, limit: limit, in: connection)
        }
    }
}
