/// A version as semver.org 2.0.0 defines it: `MAJOR.MINOR.PATCH[-prerelease][+build]`, ordered
/// by precedence.
///
/// Equality is precedence equality: build metadata is ignored, so `1.0.0+a == 1.0.0+b`, as the
/// specification requires for ordering. ``description`` keeps the build metadata.
public struct SemanticVersion: Sendable, Comparable, CustomStringConvertible {
    /// One dot-separated prerelease identifier.
    public enum PrereleaseIdentifier: Sendable, Equatable {
        /// Digits only, without a leading zero; kept as text so that any length compares exactly.
        case numeric(String)
        /// Letters, digits and hyphens, with at least one non-digit.
        case alphanumeric(String)

        var text: String {
            switch self {
            case .numeric(let text), .alphanumeric(let text):
                return text
            }
        }
    }

    /// Incremented for incompatible changes.
    public let major: Int
    /// Incremented for compatible additions.
    public let minor: Int
    /// Incremented for compatible fixes.
    public let patch: Int
    /// The prerelease identifiers (after `-`); empty for a release.
    public let prerelease: [PrereleaseIdentifier]
    /// The build metadata identifiers (after `+`); never part of the ordering.
    public let buildMetadata: [String]

    /// Parses `text`, or returns `nil` when it is not a semantic version (leading zeros, empty
    /// identifiers, a `v` prefix and missing parts are all refused).
    public init?(_ text: String) {
        var rest = Substring(text)
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            let identifiers = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false)
            guard identifiers.allSatisfy(Self.isIdentifier) else {
                return nil
            }
            build = identifiers.map(String.init)
            rest = rest[..<plus]
        }
        var prerelease: [PrereleaseIdentifier] = []
        if let hyphen = rest.firstIndex(of: "-") {
            let identifiers = rest[rest.index(after: hyphen)...].split(separator: ".", omittingEmptySubsequences: false)
            for identifier in identifiers {
                guard Self.isIdentifier(identifier) else {
                    return nil
                }
                if identifier.allSatisfy(\.isASCIIDigit) {
                    guard Self.hasNoLeadingZero(identifier) else {
                        return nil
                    }
                    prerelease.append(.numeric(String(identifier)))
                } else {
                    prerelease.append(.alphanumeric(String(identifier)))
                }
            }
            rest = rest[..<hyphen]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3,
              core.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) && Self.hasNoLeadingZero($0) }),
              let major = Int(core[0]), let minor = Int(core[1]), let patch = Int(core[2])
        else {
            return nil
        }
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.buildMetadata = build
    }

    /// The version as written: `1.2.3-rc.1+build.5`.
    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty {
            text += "-" + prerelease.map(\.text).joined(separator: ".")
        }
        if !buildMetadata.isEmpty {
            text += "+" + buildMetadata.joined(separator: ".")
        }
        return text
    }

    /// Same precedence: equal cores and prerelease identifiers; build metadata ignored.
    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }

    /// Precedence per semver.org §11: cores numerically; a prerelease before its release;
    /// prerelease identifiers left to right, numeric ones numerically and before alphanumeric
    /// ones, alphanumeric ones in ASCII order, and a shorter list first when all else is equal.
    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true), (true, false):
            return false
        case (false, true):
            return true
        case (false, false):
            break
        }
        for (left, right) in zip(lhs.prerelease, rhs.prerelease) where left != right {
            switch (left, right) {
            case let (.numeric(a), .numeric(b)):
                return a.count != b.count ? a.count < b.count : a < b
            case (.numeric, .alphanumeric):
                return true
            case (.alphanumeric, .numeric):
                return false
            case let (.alphanumeric(a), .alphanumeric(b)):
                return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }

    private static func isIdentifier(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCIIDigit || $0.isASCIILetter || $0 == "-" }
    }

    private static func hasNoLeadingZero(_ digits: Substring) -> Bool {
        digits == "0" || !digits.hasPrefix("0")
    }
}

private extension Character {
    var isASCIIDigit: Bool {
        asciiValue.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false
    }

    var isASCIILetter: Bool {
        asciiValue.map {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
        } ?? false
    }
}
