/// A manual page in the `man(7)` macros, built section by section and written out as
/// roff source that `man`, `groff -man` and `mandoc` read alike.
///
/// Text is given as people wrote it: hard-wrapped lines are joined and re-filled, a blank
/// line starts a new paragraph, and words between backticks (`` `skillctl status` ``) are
/// set in bold; escaping is this type's business, so no roff reaches the page unless a
/// ``Markup`` says so.
public struct ManualPage: Sendable {
    /// The page's name as its header shows it (`skillctl`), written in capitals there.
    public let name: String
    /// Its section: 1 for commands, 8 for daemons.
    public let section: Int
    /// What the footer names as its source: `skillhost 0.1.0`.
    public let source: String
    /// The manual's title in the header: `skillhost manual`.
    public let manual: String
    private var lines: [String] = []

    /// An empty page. The header carries no date, so that the same sources make the same
    /// page whenever it is generated.
    public init(name: String, section: Int, source: String, manual: String) {
        self.name = name
        self.section = section
        self.source = source
        self.manual = manual
    }

    /// The roff source of the page, ending with a newline. Words are never hyphenated and
    /// lines are left-aligned: a page full of paths and option names reads better so.
    public var rendered: String {
        let header = ".TH \(Self.quoted(name.uppercased())) \(section) \"\" \(Self.quoted(source)) \(Self.quoted(manual))"
        return ([header, ".nh", ".ad l"] + lines).joined(separator: "\n") + "\n"
    }

    /// The `NAME` section `whatis` and `apropos` read: `name \- summary`.
    public mutating func nameSection(summary: String) {
        section("NAME")
        lines.append((Markup.text(name) + Markup(roff: " \\- ") + Markup.text(summary)).roff)
    }

    /// A section heading (`.SH`), in capitals as man pages write them.
    public mutating func section(_ title: String) {
        lines.append(".SH " + Self.quoted(title.uppercased()))
    }

    /// A subsection heading (`.SS`).
    public mutating func subsection(_ title: Markup) {
        lines.append(".SS " + title.roff)
    }

    /// `text` as paragraphs: one per run of lines without a blank one between them; a run
    /// of lines indented by two spaces or more is shown as it is, as an example.
    public mutating func paragraphs(_ text: String) {
        for block in Block.blocks(of: text) {
            switch block {
            case .prose(let paragraph):
                lines.append(".PP")
                lines.append(Markup.prose(paragraph).roff)
            case .literal(let text):
                example(text)
            }
        }
    }

    /// A line of markup in the current paragraph, such as a synopsis line, broken after.
    public mutating func line(_ markup: Markup) {
        lines.append(markup.roff)
        lines.append(".br")
    }

    /// An entry of a list: `tag` on a line of its own (an option, a value), `text` indented
    /// below it, as paragraphs.
    public mutating func item(_ tag: Markup, _ text: String) {
        lines.append(".TP")
        lines.append(tag.roff)
        for (index, block) in Block.blocks(of: text).enumerated() {
            switch block {
            case .prose(let paragraph):
                if index > 0 { lines.append(".IP") }
                lines.append(Markup.prose(paragraph).roff)
            case .literal(let text):
                lines.append(".IP")
                lines += Self.unfilled(text)
            }
        }
    }

    /// Lines shown as they are, indented and unfilled: an example.
    public mutating func example(_ text: String) {
        lines += [".PP", ".RS 4"] + Self.unfilled(text) + [".RE"]
    }

    /// `text`'s lines as they are, between the requests that stop and resume filling.
    private static func unfilled(_ text: String) -> [String] {
        [".nf"] + text.split(separator: "\n", omittingEmptySubsequences: false).map { Markup.text(String($0)).roff } + [".fi"]
    }

    /// A part of a text given as people wrote it.
    private enum Block: Equatable {
        /// A paragraph, its lines joined into one.
        case prose(String)
        /// Indented lines, to be shown as they are (without their common indentation).
        case literal(String)

        /// The blocks of `text`: paragraphs between blank lines, and runs of indented lines.
        static func blocks(of text: String) -> [Block] {
            var blocks: [Block] = []
            var words: [Substring] = []
            var literal: [Substring] = []
            func finish() {
                if !words.isEmpty { blocks.append(.prose(words.joined(separator: " "))) }
                if !literal.isEmpty {
                    let indentation = literal.map { $0.prefix { $0 == " " }.count }.min() ?? 0
                    blocks.append(.literal(literal.map { String($0.dropFirst(indentation)) }.joined(separator: "\n")))
                }
                words = []
                literal = []
            }
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.allSatisfy({ $0 == " " }) {
                    finish()
                } else if line.hasPrefix("  ") {
                    if !words.isEmpty { finish() }
                    literal.append(line)
                } else {
                    if !literal.isEmpty { finish() }
                    words += line.split(separator: " ")
                }
            }
            finish()
            return blocks
        }
    }

    /// `text` as one argument of a macro line, in double quotes.
    private static func quoted(_ text: String) -> String {
        "\"" + Markup.escaped(text).replacing("\"", with: "\\(dq") + "\""
    }
}
