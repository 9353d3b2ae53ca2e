import SkillhostModel

extension ValueKind<String> {
    /// What a token lets its holder do: `run`, `admin` or `metrics`.
    static let tokenScope = choice(TokenScope.allCases.map(\.rawValue))
}

extension ValueKind<[String]> {
    /// Skill names separated by commas: `summarize,translate`.
    static let skillNames = ValueKind(valueName: "A,B", expectation: "skill names separated by commas") {
        text throws(ValueRefusal) in
        let names = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.contains(where: \.isEmpty) else {
            throw .explained("--skills takes skill names separated by commas, such as summarize,translate; got \"\(text)\"")
        }
        return names
    }
}
