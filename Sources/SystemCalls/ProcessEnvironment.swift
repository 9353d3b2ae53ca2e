import Glibc
import Synchronization

/// This process's environment as the kernel shows it to others.
///
/// `unsetenv` removes a variable from the process's own table (`environ`), but the strings
/// the process was started with stay where `execve` put them, at the top of its stack, and
/// the kernel shows that area (`mm->env_start` to `mm->env_end`) as `/proc/PID/environ`
/// for the process's whole life. ``withdraw(_:)`` therefore also overwrites, in that area,
/// the value of every entry of the variable.
///
/// Why overwrite instead of re-executing without the variables: a re-executed daemon would
/// need its keys handed over some other way (a pipe or a memfd, read before anything else),
/// and would pay a second start-up; overwriting bytes the process owns is one pass over a
/// few KiB, leaves nothing to hand over, and also works for a variable named later (an
/// endpoint attached at run time with `--api-key-env`).
public enum ProcessEnvironment {
    /// Serializes withdrawals, which scan the area and change `environ`.
    private static let lock = Mutex<Void>(())

    /// Removes `name` from this process's environment (`unsetenv`, so that no process it
    /// spawns inherits it) and overwrites with NUL bytes the value of every `name=...` entry
    /// of the environment area it was started with: `/proc/PID/environ` then shows
    /// `name=` and no value. Returns how many entries were overwritten (0 when the variable
    /// was not in the area, or `/proc/self/stat` could not be read).
    ///
    /// glibc's `unsetenv` takes the environment's lock and never frees the strings it
    /// removes, so a thread reading the environment meanwhile sees it with or without the
    /// variable, never a dangling pointer; the area is only written after the variable is
    /// gone from `environ`.
    @discardableResult
    public static func withdraw(_ name: String) -> Int {
        lock.withLock { _ in
            unsetenv(name)
            guard let area = originalArea() else { return 0 }
            return overwriteValues(of: name, in: area)
        }
    }

    /// The environment area, from fields 50 and 51 (`env_start`, `env_end`) of
    /// `/proc/self/stat`.
    private static func originalArea() -> UnsafeMutableRawBufferPointer? {
        guard let stat = try? FileDescriptor.contents(ofFile: "/proc/self/stat"),
              let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After the command name (field 2, in parentheses) come fields 3, 4, ...
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 48,
              let start = UInt(String(decoding: fields[47], as: UTF8.self)),
              let end = UInt(String(decoding: fields[48].prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)),
              end > start, let base = UnsafeMutableRawPointer(bitPattern: start) else { return nil }
        return UnsafeMutableRawBufferPointer(start: base, count: Int(end - start))
    }

    /// The NUL-terminated entries of `area`.
    private static func entries(of area: UnsafeMutableRawBufferPointer) -> [Slice<UnsafeMutableRawBufferPointer>] {
        area.split(separator: 0, omittingEmptySubsequences: true)
    }

    /// Overwrites the value of each `name=` entry of `area`; returns how many there were.
    private static func overwriteValues(of name: String, in area: UnsafeMutableRawBufferPointer) -> Int {
        let prefix = Array(name.utf8) + [UInt8(ascii: "=")]
        var overwritten = 0
        for entry in entries(of: area) where entry.starts(with: prefix) {
            for index in (entry.startIndex + prefix.count)..<entry.endIndex { area[index] = 0 }
            overwritten += 1
        }
        return overwritten
    }
}
