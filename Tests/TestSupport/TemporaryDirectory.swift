import Foundation
import Glibc

/// A fresh directory under `/tmp`, removed with everything in it when the object goes away.
///
/// Its path is short on purpose: a Unix socket path must fit in 107 bytes, and tests put
/// sockets in here.
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path, such as `/tmp/sh-a1B2c3`.
    public let path: String

    /// Creates `/tmp/<prefix>-XXXXXX` with mode 0700.
    public init(prefix: String = "sh") throws(TestSupportError) {
        path = try Self.make(prefix: prefix)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The directory as a file URL.
    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// The path of `name` inside the directory (nothing is created).
    public func path(_ name: String) -> String {
        path + "/" + name
    }

    /// Creates `/tmp/<prefix>-XXXXXX` with mode 0700 and returns its path.
    static func make(prefix: String) throws(TestSupportError) -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
        guard let created else {
            throw .systemCallFailed(operation: "mkdtemp", target: "/tmp/\(prefix)-XXXXXX", errno: errno)
        }
        return created
    }
}
