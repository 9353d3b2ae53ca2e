import CSystemShims
import Glibc

/// The process's reload signal (SIGHUP), caught by a handler that records the request and
/// writes a byte to the same wake-up descriptor as ``StopSignals``: like them, it needs no
/// signal descriptor or event loop that code in the process (an in-process skill) could
/// close.
package enum ReloadSignals {
    /// Catches `signal` from now on, writing a byte to `wakingDescriptor` when it arrives.
    /// - Throws: ``SystemCallError`` of `sigaction`.
    package static func catchSignal(_ signal: Int32, wakingDescriptor: Int32) throws(SystemCallError) {
        try retryingOnInterrupt("sigaction(\(signal))") { cshim_catch_reload_signal(signal, wakingDescriptor) }
    }

    /// Whether a reload signal arrived since the last call, which takes the request: signals
    /// that arrive before it is taken count as one. Call it from one thread only.
    package static func takeRequest() -> Bool {
        cshim_take_reload_request() != 0
    }
}
