import SystemCalls

/// Why the sockets a service manager passed cannot be taken.
public enum SocketActivationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A variable of the protocol does not hold what it must: `expectation`.
    case malformed(variable: String, value: String, expectation: String)
    /// `LISTEN_FDS` counts a descriptor that is not open in this process.
    case descriptorNotOpen(descriptor: Int32, SystemCallError)

    /// What is wrong, in the terms of the variables the service manager set.
    public var description: String {
        switch self {
        case let .malformed(variable, value, expectation):
            "socket activation: \(variable)=\(value) is not \(expectation)"
        case let .descriptorNotOpen(descriptor, error):
            "socket activation: LISTEN_FDS counts descriptor \(descriptor), which is not open: \(error)"
        }
    }
}
