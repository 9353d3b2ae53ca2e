import SkillDaemon

/// The checks of a request's params that their declared types cannot express (a range, one
/// of a set of names), each answering `invalid_params` with a message that names the
/// parameter as the client sent it.
enum ParameterCheck {
    /// `value` checked to lie in `range`, or nil when absent.
    static func value<Value: BinaryInteger>(
        _ value: Value?, named name: String, in range: ClosedRange<Value>
    ) throws(ServiceError) -> Value? {
        guard let value else { return nil }
        guard range.contains(value) else {
            throw ServiceError.invalidParams(
                "\(name) must be \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
        return value
    }

    /// `value` checked to lie in `range`, or `defaultValue` when absent.
    static func value<Value: BinaryInteger>(
        _ value: Value?, named name: String, default defaultValue: Value, in range: ClosedRange<Value>
    ) throws(ServiceError) -> Value {
        try self.value(value, named: name, in: range) ?? defaultValue
    }

    /// The case of `Choice` whose raw value is `text`, or nil when absent.
    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ text: String?, named name: String, as type: Choice.Type = Choice.self
    ) throws(ServiceError) -> Choice? where Choice.RawValue == String {
        guard let text else { return nil }
        return try choice(text, named: name, as: type) as Choice
    }

    /// The case of `Choice` whose raw value is `text`.
    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ text: String, named name: String, as type: Choice.Type = Choice.self
    ) throws(ServiceError) -> Choice where Choice.RawValue == String {
        guard let value = Choice(rawValue: text) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw ServiceError.invalidParams("\(name) must be one of \(names), not \"\(text)\"")
        }
        return value
    }
}
