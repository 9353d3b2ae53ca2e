import CSystemShims

/// Bytes from the kernel's cryptographically secure generator (`getrandom(2)`), for secrets.
public enum KernelRandom {
    /// `count` random bytes. Waits, at boot only, until the kernel's generator is seeded;
    /// reads again after a short read or `EINTR`.
    ///
    /// - Throws: ``SystemCallError`` when `getrandom` fails otherwise (`ENOSYS` on a kernel
    ///   older than 3.17).
    public static func bytes(count: Int) throws(SystemCallError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemCallError) -> Int in
                    try retryingOnInterrupt("getrandom") { cshim_getrandom(buffer.baseAddress! + filled, count - filled) }
                }
            }
            filled += try result.get()
        }
        return bytes
    }
}
