import Foundation

/// The command line of `skillbench` (see ``BenchOptions/usage``).
struct BenchOptions {
    /// Small counts: checks that every measurement still works, in well under a minute.
    var quick = false
    /// The `skillhostd` binary under test.
    var daemon = ""
    /// The echo server `uds_echo_floor` built from bench/uds_echo_floor.c.
    var floor = ""
    /// The noop skill named `noop_inprocess`.
    var noopInProcess = ""
    /// The noop skill named `noop_worker`.
    var noopWorker = ""
    /// The `complete` skill (libcomplete.so), for the inference figures.
    var complete: String?
    /// The llama.cpp server's base URL; without it the inference figures are N/A.
    var modelURL: URL?
    /// Why there is no model server, when bench/run could not start one.
    var modelUnavailable: String?
    /// Where the JSON results go.
    var output: String?
    /// A folder for daemons' data, sockets and logs; it must exist.
    var workDirectory = ""
    /// The figures to measure (1 to 5).
    var figures: Set<Int> = [1, 2, 3, 4, 5]
    /// Facts about the machine given by the caller (`--machine key=value`).
    var machine: [String: String] = [:]
    /// Arguments every daemon under test is started with (`--daemon-arg ARG`, repeatable),
    /// such as `--sandbox=off` for the baseline of the sandbox's cost.
    var daemonArguments: [String] = []

    static let usage = """
        usage: skillbench --daemon PATH --floor PATH --noop-inprocess PATH.so --noop-worker PATH.so
                          --work-dir DIR [--complete PATH.so --model-url URL | --no-model REASON]
                          [--quick] [--out FILE.json] [--only 1,2,...] [--machine KEY=VALUE]...
                          [--daemon-arg ARG]...
               skillbench host --socket PATH --skill PATH.so --name NAME
               skillbench load --socket PATH --skill NAME [--clients N] [--seconds S]

        Measures skillhostd against its floors and baselines (docs/BENCHMARKS.md) and prints a
        Markdown table; bench/run builds everything and calls it. `skillbench host` is the
        daemon's serving path without its registry, started by skillbench itself; `skillbench load`
        only loads a daemon started by hand, to profile it.
        """

    /// Parses `arguments` (without the program name).
    init(arguments: [String]) throws(BenchError) {
        var remaining = arguments[...]
        func value(_ flag: String) throws(BenchError) -> String {
            guard let value = remaining.popFirst() else { throw BenchError("\(flag) needs a value\n\(Self.usage)") }
            return value
        }
        while let flag = remaining.popFirst() {
            switch flag {
            case "--quick": quick = true
            case "--daemon": daemon = try value(flag)
            case "--floor": floor = try value(flag)
            case "--noop-inprocess": noopInProcess = try value(flag)
            case "--noop-worker": noopWorker = try value(flag)
            case "--complete": complete = try value(flag)
            case "--model-url":
                let text = try value(flag)
                guard let url = URL(string: text), url.scheme == "http" else {
                    throw BenchError("--model-url must be an http:// URL, not \(text)")
                }
                modelURL = url
            case "--no-model": modelUnavailable = try value(flag)
            case "--out": output = try value(flag)
            case "--work-dir": workDirectory = try value(flag)
            case "--only":
                let text = try value(flag)
                let parsed = text.split(separator: ",").compactMap { Int($0) }
                guard !parsed.isEmpty, parsed.allSatisfy((1...5).contains) else {
                    throw BenchError("--only takes figure numbers 1 to 5 separated by commas, not \(text)")
                }
                figures = Set(parsed)
            case "--machine":
                let text = try value(flag)
                guard let equals = text.firstIndex(of: "=") else { throw BenchError("--machine takes KEY=VALUE, not \(text)") }
                machine[String(text[..<equals])] = String(text[text.index(after: equals)...])
            case "--daemon-arg": daemonArguments.append(try value(flag))
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default:
                throw BenchError("unknown argument \(flag)\n\(Self.usage)")
            }
        }
        for (flag, path) in [("--daemon", daemon), ("--floor", floor), ("--noop-inprocess", noopInProcess),
                             ("--noop-worker", noopWorker), ("--work-dir", workDirectory)] {
            guard !path.isEmpty else { throw BenchError("\(flag) is required\n\(Self.usage)") }
            guard FileManager.default.fileExists(atPath: path) else { throw BenchError("\(flag) \(path) does not exist") }
        }
        if modelURL != nil, complete == nil {
            throw BenchError("--model-url needs --complete PATH.so (the complete skill) as well")
        }
    }
}
