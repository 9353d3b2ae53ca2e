import Foundation
import Glibc

// skillbench: measures skillhostd against its physical floor (docs/BENCHMARKS.md).
// bench/run builds what it needs and calls it; `skillbench host` is its unrecorded host.

signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "host": UnrecordedHost.main(arguments: Array(arguments.dropFirst()))
case "load": LoadCommand.main(arguments: Array(arguments.dropFirst()))
default: break
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("skillbench: \(message)\n".utf8))
    exit(1)
}

let options: BenchOptions
do {
    options = try BenchOptions(arguments: arguments)
} catch {
    FileHandle.standardError.write(Data("skillbench: \(error)\n".utf8))
    exit(2)
}

let session = BenchSession(options: options)
let started = MonotonicClock.now()
do {
    try session.run()
} catch {
    print(session.report.table())
    fail("\(error)\n(logs of the daemons and helpers are in \(options.workDirectory))")
}
let seconds = MonotonicClock.seconds(since: started)
print(session.report.table())
print(String(format: "\nskillbench: %@ run measured in %.0f s", options.quick ? "quick" : "full", seconds))
if let output = options.output {
    let json = session.report.json(mode: options.quick ? "quick" : "full", seconds: seconds)
    do {
        try Data(json.serializedBytes(.pretty) + [UInt8(ascii: "\n")]).write(to: URL(fileURLWithPath: output))
    } catch {
        fail("cannot write the results to \(output): \(error)")
    }
}
