import Foundation
import Testing
import TestSupport

/// docs/ARCHITECTURE.md's module table against Package.swift, and every `import` in the
/// sources against the dependencies Package.swift declares: a module that starts to lean on
/// another shows up here, not in a build that happens to see it through a third.
@Suite("Architecture: the module table and the imports")
struct ArchitectureTests {
    @Test("docs/ARCHITECTURE.md lists every library module under Sources with exactly its dependencies, in Package.swift's order")
    func moduleTable() async throws {
        let package = try await PackageManifest.read()
        let documented = try DocumentedModules.read()
        let libraries = package.targets.filter { $0.kind == .library && $0.path.hasPrefix("Sources/") }
        #expect(documented.map(\.name) == libraries.map(\.name),
                "docs/ARCHITECTURE.md's modules differ from Package.swift's library targets")
        for module in documented {
            guard let target = libraries.first(where: { $0.name == module.name }) else { continue }
            #expect(module.imports == Set(target.dependencies),
                    "\(module.name): the table says it may import \(module.imports.sorted()), Package.swift says \(target.dependencies.sorted())")
        }
    }

    @Test("every source and test file imports only its own target's declared dependencies")
    func importsAreDeclared() async throws {
        let package = try await PackageManifest.read()
        let names = Set(package.targets.map(\.name))
        var undeclared: [String] = []
        for target in package.targets {
            let allowed = Set(target.dependencies)
            for file in try swiftFiles(under: target.path) {
                for module in try imports(in: file) where names.contains(module) && !allowed.contains(module) {
                    undeclared.append("\(file.path.dropFirst(BuildProducts.packageRoot.path.count + 1)) imports \(module), which \(target.name) does not depend on")
                }
            }
        }
        #expect(undeclared.isEmpty, "\(undeclared.joined(separator: "\n"))")
    }

    @Test("no library module depends on one listed after it in Package.swift")
    func layering() async throws {
        let package = try await PackageManifest.read()
        let order = package.targets.map(\.name)
        for target in package.targets where target.kind == .library {
            let position = order.firstIndex(of: target.name)!
            for dependency in target.dependencies {
                let dependencyPosition = try #require(order.firstIndex(of: dependency), "\(target.name) depends on \(dependency), not a target")
                #expect(dependencyPosition < position, "\(target.name) depends on \(dependency), listed after it")
            }
        }
    }

    private func swiftFiles(under folder: String) throws -> [URL] {
        let root = BuildProducts.packageRoot.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }

    private func imports(in file: URL) throws -> [String] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard let index = words.firstIndex(of: "import"), words[..<index].allSatisfy({ $0.hasPrefix("@") }),
                  index + 1 < words.count else { return nil }
            return String(words[index + 1])
        }
    }
}
