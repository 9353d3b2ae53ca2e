import Foundation
import TestSupport

/// The targets of Package.swift as SwiftPM itself reads them (`swift package dump-package`):
/// their kinds, folders and dependencies, in the order the manifest lists them.
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

    /// What `swift package dump-package` printed that this cannot read.
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    /// Asks SwiftPM for the manifest of the package at the root, with a scratch folder of its
    /// own so that it never waits for the build folder's lock the running tests hold.
    static func read() async throws -> PackageManifest {
        let scratch = try TemporaryDirectory(prefix: "manifest")
        let swift = try ChildProcess(
            "swift", arguments: ["package", "--package-path", BuildProducts.packageRoot.path,
                                 "--scratch-path", scratch.path, "dump-package"],
            standardOutput: .pipe)
        let text = try await swift.readAll(from: .standardOutput, timeout: .seconds(120))
        let status = try await swift.wait(timeout: .seconds(120))
        guard status == .exited(0), let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let targets = json["targets"] as? [[String: Any]]
        else {
            throw Unreadable(description: "swift package dump-package ended \(status): \(text.prefix(500))")
        }
        return PackageManifest(targets: try targets.map { (target) throws -> Target in
            guard let name = target["name"] as? String, let type = target["type"] as? String else {
                throw Unreadable(description: "a target without a name or type: \(target)")
            }
            let kind: Target.Kind = switch type {
            case "executable": .executable
            case "test": .test
            default: .library
            }
            let path = target["path"] as? String ?? (kind == .test ? "Tests/\(name)" : "Sources/\(name)")
            let dependencies = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                (dependency["byName"] ?? dependency["target"]).flatMap { ($0 as? [Any])?.first as? String }
            }
            return Target(name: name, kind: kind, path: path, dependencies: dependencies)
        })
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
