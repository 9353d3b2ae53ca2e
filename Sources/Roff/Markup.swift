/// Text on a manual page with its fonts: plain, bold or italic runs, escaped for roff.
public struct Markup: Sendable, Equatable {
    /// The roff source, safe to put on a line of its own.
    public let roff: String

    /// Markup whose roff source is `roff` as it is.
    init(roff: String) {
        self.roff = roff.first == "." || roff.first == "'" ? "\\&" + roff : roff
    }

    /// `text` in the regular font.
    public static func text(_ text: String) -> Markup {
        Markup(roff: escaped(text))
    }

    /// `text` in bold: what is typed as it stands (a command, an option's name).
    public static func bold(_ text: String) -> Markup {
        Markup(roff: "\\fB" + escaped(text) + "\\fR")
    }

    /// `text` in italics: what stands for a value (`PATH`, `N`).
    public static func italic(_ text: String) -> Markup {
        Markup(roff: "\\fI" + escaped(text) + "\\fR")
    }

    /// Prose in which words between backticks are typed as they stand, and set in bold.
    public static func prose(_ text: String) -> Markup {
        let pieces = text.split(separator: "`", omittingEmptySubsequences: false)
        // An odd count of backticks leaves the last one as it was typed.
        guard pieces.count % 2 == 1 else { return .text(text) }
        return pieces.enumerated().reduce(Markup(roff: "")) { markup, piece in
            markup + (piece.offset % 2 == 1 ? .bold(String(piece.element)) : .text(String(piece.element)))
        }
    }

    /// `left` followed by `right`.
    public static func + (left: Markup, right: Markup) -> Markup {
        Markup(roff: left.roff + right.roff)
    }

    /// `parts` one after the other, `separator` between them.
    public static func joined(_ parts: [Markup], separator: Markup = .text(" ")) -> Markup {
        guard let first = parts.first else { return Markup(roff: "") }
        return parts.dropFirst().reduce(first) { $0 + separator + $1 }
    }

    /// `text` with everything roff would read as a request or an escape made literal: the
    /// backslash, the hyphen (`\-`, so that options stay ASCII and searchable), and every
    /// character beyond ASCII as its Unicode escape.
    static func escaped(_ text: String) -> String {
        var roff = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": roff += "\\e"
            case "-": roff += "\\-"
            case _ where scalar.isASCII: roff.unicodeScalars.append(scalar)
            default: roff += "\\[u" + hexadecimal(scalar.value) + "]"
            }
        }
        return roff
    }

    /// `value` in upper-case hexadecimal, at least four digits, as roff's `\[uXXXX]` wants it.
    private static func hexadecimal(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension Markup {
    /// A usage line such as `skillctl install PATH [--force]`: words that start in lower
    /// case or with dashes are typed as they stand (bold), words that start in capitals
    /// stand for values (italics); brackets, bars and dots stay regular.
    public static func usage(_ line: String) -> Markup {
        var markup = Markup(roff: "")
        var word = ""
        func finishWord() {
            guard !word.isEmpty else { return }
            let firstLetter = word.first { $0.isLetter }
            if let firstLetter {
                markup = markup + (firstLetter.isUppercase ? .italic(word) : .bold(word))
            } else {
                markup = markup + .text(word)
            }
            word = ""
        }
        for character in line {
            if character.isLetter || character.isNumber || "-_.@=".contains(character) {
                word.append(character)
            } else {
                finishWord()
                markup = markup + .text(String(character))
            }
        }
        finishWord()
        return markup
    }
}
