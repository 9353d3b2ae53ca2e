import Foundation
import HTTPAPI

// skillhost-openapi: prints the OpenAPI 3.1 document of skillhostd's HTTP API, made from its
// route declarations, as GET /openapi.json serves it: `swift run skillhost-openapi >
// docs/openapi.json` brings the copy in docs up to date.
guard CommandLine.arguments.count == 1 else {
    let help = CommandLine.arguments.dropFirst().first.map { ["-h", "--help"].contains($0) } ?? false
    let usage = """
        usage: skillhost-openapi

        Prints the OpenAPI 3.1 document of skillhostd's HTTP API (GET /openapi.json), made from its
        route declarations; docs/openapi.json is its output.

        """
    FileHandle(fileDescriptor: help ? 1 : 2).write(Data(usage.utf8))
    exit(help ? 0 : 2)
}
FileHandle.standardOutput.write(Data(OpenAPIDocument.text.utf8))
