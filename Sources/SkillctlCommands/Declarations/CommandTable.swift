import Foundation

/// The README's table of commands, made from the command list.
enum CommandTable {
    /// A Markdown table, one row per command: how it is typed (`|` escaped) and what it does.
    static func markdown(of leaves: [LeafCommand]) -> String {
        let rows = leaves.map { leaf in
            "| `\(leaf.synopsis.replacingOccurrences(of: "|", with: "\\|"))` | \(leaf.declaration.abstract) |"
        }
        return (["| Command | What it does |", "| --- | --- |"] + rows).joined(separator: "\n")
    }
}
