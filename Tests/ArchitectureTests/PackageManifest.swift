import Foundation
import TestSupport

/// The targets of Package.swift, read from its text: their kinds, folders and dependencies.
struct PackageManifest {
    /// One target.
    struct Target {
        /// What SwiftPM builds of it.
        enum Kind: Equatable {
            case library, executable, test
        }

        var name: String
        var kind: Kind
        /// The folder of its sources, from the package's root.
        var path: String
        var dependencies: [String]
    }

    /// The targets, in the order Package.swift lists them.
    var targets: [Target]

    /// Reads Package.swift from the package's root.
    static func read() throws -> PackageManifest {
        let text = try String(contentsOf: BuildProducts.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let declaration = try Regex(#"\.(target|systemLibrary|executableTarget|testTarget)\(\s*name:\s*"(\w+)"([^)]*)\)"#)
        let quoted = try Regex(#""(\w+)""#)
        let pathPattern = try Regex(#"path:\s*"([^"]+)""#)
        let dependencyList = try Regex(#"dependencies:\s*\[([^\]]*)\]"#)
        var targets: [Target] = []
        for match in text.matches(of: declaration) {
            let function = String(match.output[1].substring ?? "")
            let name = String(match.output[2].substring ?? "")
            let rest = String(match.output[3].substring ?? "")
            let kind: Target.Kind = switch function {
            case "executableTarget": .executable
            case "testTarget": .test
            default: .library
            }
            let defaultFolder = kind == .test ? "Tests/\(name)" : "Sources/\(name)"
            let path = rest.firstMatch(of: pathPattern).flatMap { $0.output[1].substring.map(String.init) } ?? defaultFolder
            let dependencies = rest.firstMatch(of: dependencyList).map { list in
                String(list.output[1].substring ?? "").matches(of: quoted).compactMap { $0.output[1].substring.map(String.init) }
            } ?? []
            targets.append(Target(name: name, kind: kind, path: path, dependencies: dependencies))
        }
        return PackageManifest(targets: targets)
    }
}

/// The module table of docs/ARCHITECTURE.md, between its `modules:begin` and `modules:end`
/// markers.
struct DocumentedModules {
    var name: String
    var imports: Set<String>

    /// Reads the table's rows.
    static func read() throws -> [DocumentedModules] {
        let text = try String(
            contentsOf: BuildProducts.packageRoot.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        guard let begin = text.range(of: "<!-- modules:begin -->"), let end = text.range(of: "<!-- modules:end -->") else {
            throw TableMissing()
        }
        let rows = text[begin.upperBound..<end.lowerBound].split(separator: "\n").dropFirst(2)
        return rows.map { row in
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let imports = cells[3].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "` ")) }
            return DocumentedModules(name: name, imports: Set(imports.filter { !$0.isEmpty }))
        }
    }

    /// docs/ARCHITECTURE.md has no module table between the markers.
    struct TableMissing: Error, CustomStringConvertible {
        var description: String { "docs/ARCHITECTURE.md has no <!-- modules:begin --> ... <!-- modules:end --> table" }
    }
}
