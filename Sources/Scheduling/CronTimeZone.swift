import Foundation

/// Looks up the time zones schedules run in.
public enum CronTimeZone {
    /// The zone named `identifier`, an IANA name such as `Europe/Berlin`.
    /// - Throws: ``UnknownTimeZoneError`` when the system's time zone database has no such zone.
    public static func named(_ identifier: String) throws(UnknownTimeZoneError) -> TimeZone {
        guard !identifier.isEmpty, let zone = TimeZone(identifier: identifier) else {
            throw UnknownTimeZoneError(identifier: identifier)
        }
        return zone
    }
}

/// A time zone name the system's time zone database does not know.
public struct UnknownTimeZoneError: Error, Hashable, CustomStringConvertible {
    /// The name that was looked up.
    public let identifier: String

    /// Creates the error for `identifier`.
    public init(identifier: String) {
        self.identifier = identifier
    }

    /// What failed and what to give instead.
    public var description: String {
        "unknown time zone \"\(identifier)\": give an IANA name such as Europe/Berlin, America/New_York or UTC "
            + "(the names under /usr/share/zoneinfo)"
    }
}
