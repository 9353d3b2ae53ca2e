import CSystemShims
import Glibc

/// The process's stop signals (SIGTERM, SIGINT), caught by a handler that records the first
/// and writes a byte to a wake-up descriptor; a second one, while the first is handled, ends
/// the process at once with status 128 + its number. Nothing but the handler is involved:
/// no signal descriptor or event loop that code in the process (an in-process skill) could
/// close.
package enum StopSignals {
    /// Catches `signal` from now on, writing a byte to `wakingDescriptor` when it arrives.
    /// - Throws: ``SystemCallError`` of `sigaction`.
    package static func catchSignal(_ signal: Int32, wakingDescriptor: Int32) throws(SystemCallError) {
        try retryingOnInterrupt("sigaction(\(signal))") { cshim_catch_stop_signal(signal, wakingDescriptor) }
    }

    /// The first stop signal caught; nil while none was.
    package static var received: Int32? {
        let signal = cshim_stop_signal_received()
        return signal == 0 ? nil : signal
    }

    /// Lets `signal` reach the calling thread, whatever mask it inherited.
    package static func unblockInCallingThread(_ signal: Int32) {
        _ = cshim_unblock_signal(signal)
    }
}
