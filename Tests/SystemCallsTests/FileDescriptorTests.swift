import CSystemShims
import Foundation
import Glibc
import Synchronization
import SystemCalls
import Testing

@Suite("FileDescriptor")
struct FileDescriptorTests {
    /// An open descriptor on /dev/null at a number of 700 or more: the kernel hands out the
    /// lowest free number, so no other test's file takes this one once it is closed.
    private static func highDescriptor() throws -> Int32 {
        let low = try FileDescriptor.open("/dev/null", flags: O_RDONLY)
        return try retryingOnInterrupt("fcntl(F_DUPFD_CLOEXEC)") { fcntl(low.rawValue, F_DUPFD_CLOEXEC, 700) }
    }

    private static func isOpen(_ number: Int32) -> Bool {
        fcntl(number, F_GETFD) != -1
    }

    @Test("the descriptor is closed when the value goes away")
    func closedOnDeinit() throws {
        let number = try Self.highDescriptor()
        do {
            let descriptor = FileDescriptor(adopting: number)
            #expect(Self.isOpen(descriptor.rawValue))
        }
        #expect(!Self.isOpen(number))
        #expect(Errno.current == .badFileDescriptor)
    }

    @Test("close() closes the descriptor once, and reports what close(2) reports")
    func explicitClose() throws {
        let number = try Self.highDescriptor()
        let descriptor = FileDescriptor(adopting: number)
        try descriptor.close()
        #expect(!Self.isOpen(number))

        let notOpen = FileDescriptor(adopting: number)
        do {
            try notOpen.close()
            Issue.record("closing a number that is not open succeeded")
        } catch {
            #expect(error == SystemCallError(call: "close", errno: .badFileDescriptor))
        }
    }

    @Test("writeAll sends more than the pipe holds to a concurrent reader, every byte in order")
    func writeAllOverPipe() async throws {
        let pipe = try PipeEnds()
        let capacity = Int(fcntl(pipe.writeEnd.rawValue, 1032 /* F_GETPIPE_SZ */))
        #expect(capacity > 0)
        let payload = (0..<(16 * capacity + 12_345)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }

        let readEnd = pipe.readEnd
        let writeEnd = pipe.writeEnd
        let received = Mutex<[UInt8]?>(nil)
        let reader = Thread { [readEnd = consume readEnd] in
            let bytes = try? readEnd.readToEnd()
            received.withLock { $0 = bytes }
        }
        reader.start()
        try writeEnd.writeAll(payload)
        try writeEnd.close()
        #expect(await eventually { received.withLock { $0 != nil } })
        #expect(received.withLock { $0 } == payload)
    }

    @Test("sendAll sends more than the socket buffer holds, and a closed peer is EPIPE, not SIGPIPE")
    func sendAllOverSocket() async throws {
        var ends: [Int32] = [-1, -1]
        try retryingOnInterrupt("socketpair") { cshim_socketpair_cloexec(&ends) }
        let sender = FileDescriptor(adopting: ends[0])
        let receiver = FileDescriptor(adopting: ends[1])
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 ^ ($0 >> 11)) }

        // The reader closes its end once it has read everything: then the peer is gone.
        let receiverSlot = Mutex<FileDescriptor?>(receiver)
        let received = Mutex<[UInt8]?>(nil)
        let count = payload.count
        Thread {
            let bytes = receiverSlot.withLock { slot in
                defer { slot = nil }
                return try? slot?.readToEnd(upTo: count)
            }
            received.withLock { $0 = bytes }
        }.start()
        try payload.withUnsafeBytes { buffer in try sender.sendAll(buffer) }
        #expect(await eventually { received.withLock { $0 != nil } })
        #expect(received.withLock { $0 } == payload)

        let error = try #require(throws: SystemCallError.self) {
            try [UInt8](repeating: 0, count: 10).withUnsafeBytes { try sender.sendAll($0) }
        }
        #expect(error.errno == .brokenPipe)
    }
}

/// Whether `condition` becomes true within 10 seconds.
func eventually(_ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return true
}
