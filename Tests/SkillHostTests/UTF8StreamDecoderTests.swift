@testable import DaemonRPC
import Testing

/// Streamed output is sent as text: characters cut across chunks are held back, never mangled.
@Suite("UTF-8 stream decoder")
struct UTF8StreamDecoderTests {
    /// Feeds `chunks` to a fresh decoder and returns what each call returned.
    private func decode(_ chunks: [[UInt8]]) -> (texts: [String], decoder: UTF8StreamDecoder) {
        var decoder = UTF8StreamDecoder()
        return (chunks.map { decoder.decode($0) }, decoder)
    }

    @Test("ASCII passes through chunk by chunk")
    func ascii() {
        let (texts, decoder) = decode([Array("[1,".utf8), Array("2,".utf8), Array("3]".utf8)])
        #expect(texts == ["[1,", "2,", "3]"])
        #expect(decoder.receivedBytes == 7)
    }

    @Test("every way of cutting multi-byte characters gives them back whole, and nothing else", arguments: [
        "é", "€", "😀", "aé€😀z", "日本語のテキスト", "🇫🇷 and 👩‍👩‍👧",
    ])
    func splitCharacters(text: String) {
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            let (texts, decoder) = decode([Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(texts.joined() == text, "cut at \(cut)")
            #expect(texts.allSatisfy { !$0.unicodeScalars.contains("\u{FFFD}") }, "cut at \(cut)")
            #expect(!decoder.isBroken)
        }
        let (oneByOne, _) = decode(bytes.map { [$0] })
        #expect(oneByOne.joined() == text)
        #expect(oneByOne.filter { !$0.isEmpty }.count == text.unicodeScalars.count)
    }

    @Test("a character's first bytes wait for the rest")
    func heldBack() {
        let euro = Array("€".utf8)
        var decoder = UTF8StreamDecoder()
        #expect(decoder.decode(Array("ab".utf8) + euro[..<2]) == "ab")
        #expect(decoder.decode(euro[2...]) == "€")
    }

    @Test("invalid bytes stop the text at the last whole character before them", arguments: [
        [0xFF] as [UInt8], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF5, 0x80], [0x80], [0xC3, 0x41],
    ])
    func invalid(sequence: [UInt8]) {
        var decoder = UTF8StreamDecoder()
        #expect(decoder.decode(Array("ok ".utf8) + sequence) == "ok ")
        #expect(decoder.isBroken)
        #expect(decoder.decode(Array(" later".utf8)) == "", "nothing after bytes that are not UTF-8")
    }
}
