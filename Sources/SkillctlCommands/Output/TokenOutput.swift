import JSON
import SkillhostProtocol

/// How `skillctl tokens ...` prints the daemon's answers for a person.
enum TokenOutput {
    /// `tokens list`: one line a token.
    static func renderList(_ result: TokenList, showingRevoked: Bool) -> String {
        guard !result.tokens.isEmpty else {
            return "no tokens: make one with `skillctl tokens create NAME --scope run|admin|metrics`"
        }
        var table = TextTable(header: ["ID", "NAME", "SCOPE", "SKILLS", "CREATED", "LAST USED"] + (showingRevoked ? ["REVOKED"] : []))
        for token in result.tokens {
            let skills = token["skills"]?.arrayValue.map { $0.map(Formatting.plain).joined(separator: ",") } ?? "all"
            table.append([
                Formatting.plain(token["token_id"]), Formatting.plain(token["name"]), Formatting.plain(token["scope"]), skills,
                Formatting.time(token["created_at"]) ?? "-", Formatting.time(token["last_used_at"]) ?? "never",
            ] + (showingRevoked ? [Formatting.time(token["revoked_at"]) ?? "-"] : []))
        }
        return table.rendered
    }
}
