/// A host function called with invalid arguments: which function, and what is wrong. The
/// host that serves the call ends the invocation with ``failure``.
package struct InvalidCSICall: Error, Equatable {
    /// The CSI function, such as `complete_text` or `write_output`.
    package let function: String
    /// What is wrong and what is allowed.
    package let reason: String

    /// A call of `function` that is invalid for `reason`.
    package init(function: String, reason: String) {
        self.function = function
        self.reason = reason
    }

    /// The failure of an invocation trapped by this call.
    package var failure: InvocationFailure { .invalidCSICall(function: function, reason: reason) }
}
