/// Text made safe to put into an HTML document.
enum HTML {
    /// `text` with every character that HTML gives a meaning (`&`, `<`, `>`, `"`, `'`) written
    /// as a character reference, so that it reads as text in an element's content or in a
    /// quoted attribute's value, whatever it holds. Every string the status page shows that it
    /// did not write itself (a skill's name, a run's error, an endpoint's URL) goes through it.
    static func escaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\0": escaped += "\u{FFFD}"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
