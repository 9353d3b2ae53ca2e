import SystemCalls

/// Files of `/proc`, read whole with plain `read(2)`: their size reads as 0, so Foundation's
/// file reading returns nothing for them.
public enum ProcFile {
    /// The bytes of the file at `path`, such as `/proc/PID/environ`.
    /// - Throws: ``SystemCallError`` of `open` or `read` (`EACCES` for another user's
    ///   process, or one that is not dumpable).
    public static func contents(_ path: String) throws(SystemCallError) -> [UInt8] {
        try FileDescriptor.contents(ofFile: path)
    }

    /// The file at `path` as text.
    public static func text(_ path: String) throws(SystemCallError) -> String {
        String(decoding: try contents(path), as: UTF8.self)
    }
}
