import Foundation

/// A Swift value that binds to a statement parameter.
protocol DatabaseValueConvertible {
    /// The value as SQLite stores it.
    var databaseValue: DatabaseValue { get }
}

extension DatabaseValue: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { self }
}

extension Int64: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .integer(self) }
}

extension Int: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .integer(Int64(self)) }
}

extension UInt32: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .integer(Int64(self)) }
}

extension Double: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .real(self) }
}

extension String: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .text(self) }
}

extension Array: DatabaseValueConvertible where Element == UInt8 {
    var databaseValue: DatabaseValue { .blob(self) }
}

extension Data: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .blob([UInt8](self)) }
}

extension Optional: DatabaseValueConvertible where Wrapped: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { self?.databaseValue ?? .null }
}
