@testable import HTTPAPI
import Testing

/// The one escaping helper every text of the status page goes through.
@Suite("HTML escaping")
struct HTMLEscapingTests {
    /// Strings an attacker would put in a skill's name, a run's error or an endpoint's URL.
    static let nastyStrings = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)",
        "</td></tr></table><iframe src=javascript:alert(1)>",
        "<!-- -->]]><![CDATA[<svg/onload=alert(1)>",
        "&lt;script&gt; is already escaped &amp; stays as written",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "a\0b<\u{2028}>\u{1F600}",
    ]

    @Test("the five characters HTML gives a meaning become character references, everything else stays")
    func escapesTheFiveCharacters() {
        #expect(HTML.escaped(#"<a href="x" title='y'>Tom & Jerry</a>"#)
            == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;")
        #expect(HTML.escaped("plain text, ünïcödé, 😀 and \t tabs") == "plain text, ünïcödé, 😀 and \t tabs")
        #expect(HTML.escaped("") == "")
        #expect(HTML.escaped("a\0b") == "a\u{FFFD}b", "a NUL, which HTML parsers treat inconsistently, is replaced")
    }

    @Test("no nasty string keeps a character that could open a tag, end an attribute or start a reference", arguments: nastyStrings)
    func nastyStringsBecomeText(_ nasty: String) {
        let escaped = HTML.escaped(nasty)
        #expect(!escaped.contains { "<>\"'".contains($0) }, "\(escaped)")
        #expect(Self.unescaped(escaped) == nasty.replacingNUL, "escaping loses nothing: \(escaped)")
        let ampersands = escaped.split(separator: "&", omittingEmptySubsequences: false).dropFirst()
        #expect(ampersands.allSatisfy { ["amp;", "lt;", "gt;", "quot;", "#39;"].contains(where: $0.hasPrefix) },
                "every & starts one of the five references: \(escaped)")
    }

    /// What a browser reads `text` as, for the five references ``HTML/escaped(_:)`` writes.
    private static func unescaped(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        let references = ["&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'"]
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            rest = rest[ampersand...]
            guard let (reference, character) = references.first(where: { rest.hasPrefix($0.key) }) else {
                Issue.record("a bare & in \(text)")
                return result
            }
            result += character
            rest = rest.dropFirst(reference.count)
        }
        return result + rest
    }
}

extension String {
    /// The string with NUL replaced as ``HTML/escaped(_:)`` replaces it.
    fileprivate var replacingNUL: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : $0 }))
    }
}
