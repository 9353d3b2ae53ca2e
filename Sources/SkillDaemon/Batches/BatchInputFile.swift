import Foundation
import Glibc
import JSON
import SystemCalls

/// The items of a batch read from a JSONL file: one JSON value a line; blank lines are
/// skipped.
package enum BatchInputFile {
    /// The largest input file read.
    static let maximumBytes = 256 << 20

    /// Reads the items of the JSONL file at `path` for a caller with `uid` and `gid`.
    ///
    /// - Throws: `not_found` when there is no such file; `permission_denied` when the caller
    ///   could not read it itself; `invalid_params` for a line that is not JSON, naming the line.
    package static func items(path: String, uid: UInt32, gid: UInt32) throws(ServiceError) -> [JSONValue] {
        guard path.hasPrefix("/") else {
            throw .invalidParams("input_file must be an absolute path, not \"\(path)\"")
        }
        try checkCallerMayRead(path: path, uid: uid, gid: gid)
        let data: [UInt8]
        do {
            data = try FileDescriptor.contents(ofFile: path, upTo: maximumBytes + 1)
        } catch {
            throw ServiceError(.permissionDenied, "cannot read the batch input file \(path): \(error.errno)")
        }
        guard data.count <= maximumBytes else {
            throw .invalidParams("the batch input file \(path) is more than the \(maximumBytes) bytes allowed: split it into several batches")
        }
        var items: [JSONValue] = []
        for (offset, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { !Self.isWhitespace($0) }) else { continue }
            do {
                items.append(try JSONValue(parsing: Array(line)))
            } catch {
                throw .invalidParams("line \(offset + 1) of the batch input file \(path) is not JSON (\(error)): each line must be one JSON value")
            }
        }
        return items
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    /// Refuses a path that is not a regular file the caller could read itself
    /// (``CallerFileAccess``).
    private static func checkCallerMayRead(path: String, uid: UInt32, gid: UInt32) throws(ServiceError) {
        do {
            try CallerFileAccess(uid: uid, gid: gid).check(path)
        } catch {
            switch error {
            case .missing: throw .invalidParams("the batch input file \(path) does not exist")
            case let .unreachable(reason):
                throw ServiceError(.permissionDenied, "cannot read the batch input file \(path): \(reason)")
            case .notRegularFile: throw .invalidParams("the batch input file \(path) is not a regular file")
            case .notReadable:
                throw ServiceError(.permissionDenied, "cannot use the batch input file \(path): uid \(uid) may not read it")
            }
        }
    }
}
