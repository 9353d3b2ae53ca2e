import HTTPServer
import Testing

@Suite("HTTPRequestReader on mutated input")
struct HTTPRequestReaderFuzzTests {
    /// A valid stream of pipelined requests, which the mutations start from.
    static let seed = Array(("GET /a/b?c=d HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n"
        + "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello"
        + "PUT /y HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;e=1\r\nwiki\r\n0\r\nT: v\r\n\r\n").utf8)

    /// A deterministic generator, so that a failure can be replayed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("flipped, dropped, duplicated and inserted bytes give requests or a typed error, within the limits, never a crash")
    func mutations() {
        var random = SplitMix64(state: 15)
        let limits = HTTPServerLimits(maximumHeadBytes: 256, maximumHeaderCount: 8, maximumBodyBytes: 64)
        let interesting: [UInt8] = Array("\r\n:;% .0fF-\t".utf8) + [0, 0x7F, 0xFF]
        var errorsSeen = Set<Int>()
        for _ in 0..<3000 {
            var bytes = Self.seed
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = interesting.randomElement(using: &random)!
                case 1: bytes.remove(at: index)
                case 2: bytes.insert(contentsOf: bytes[index..<min(bytes.count, index + 8)], at: index)
                default: bytes.insert(interesting.randomElement(using: &random)!, at: index)
                }
            }
            let pieces = stride(from: 0, to: bytes.count, by: 7).map { Array(bytes[$0..<min(bytes.count, $0 + 7)]) }
            let outcome = readAll(MemoryByteSource(pieces), limits: limits)
            #expect(outcome.requests.count <= 3)
            #expect(outcome.requests.allSatisfy { $0.body.count <= limits.maximumBodyBytes && $0.headers.count <= limits.maximumHeaderCount })
            #expect(outcome.requests.allSatisfy { !$0.path.split(separator: "/").contains { $0 == "." || $0 == ".." } })
            if let error = outcome.error { errorsSeen.insert(error.status.code) }
        }
        #expect(errorsSeen.isSuperset(of: [400, 431]), "\(errorsSeen)")
    }
}
