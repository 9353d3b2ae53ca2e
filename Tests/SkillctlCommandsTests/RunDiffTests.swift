import JSON
@testable import SkillctlCommands
import Testing

/// `skillctl runs diff`'s comparison of two run records.
@Suite("runs diff: two runs' outputs compared")
struct RunDiffTests {
    private func run(_ id: Int64, output: JSONValue, kind: String, status: String = "succeeded",
                     error: JSONValue = .null) -> JSONValue {
        ["run_id": .int(id), "skill": "echo", "version": "1.0.0", "status": .string(status), "output": output,
         "output_kind": kind == "none" ? .null : .string(kind), "error": error]
    }

    @Test("JSON outputs equal as values are the same whatever their members' order, every line in both")
    func jsonAlike() {
        let first = run(1, output: ["a": 1, "b": ["x": true]], kind: "json")
        let second = run(2, output: .object(["b": ["x": true], "a": 1]), kind: "json")
        let diff = RunDiff(first, second)
        #expect(diff.equal)
        #expect(diff.lines.allSatisfy { $0.side == .both })
        #expect(diff.rendered(first: first, second: second).hasSuffix("the outputs are the same"))
    }

    @Test("JSON outputs that differ show the members that differ, pretty and key-sorted")
    func jsonDiffers() {
        let diff = RunDiff(run(1, output: ["a": 1, "b": 2], kind: "json"), run(2, output: ["a": 1, "b": 3], kind: "json"))
        #expect(!diff.equal)
        #expect(diff.lines == [
            .init(side: .both, text: "{"), .init(side: .both, text: "  \"a\": 1,"),
            .init(side: .first, text: "  \"b\": 2"), .init(side: .second, text: "  \"b\": 3"), .init(side: .both, text: "}"),
        ])
    }

    @Test("text outputs are compared line by line; the same text as JSON and as text differs")
    func text() {
        let diff = RunDiff(run(1, output: "one\ntwo\nthree", kind: "text"), run(2, output: "one\n2\nthree\nfour", kind: "text"))
        #expect(!diff.equal)
        #expect(diff.lines.map { "\($0.side.rawValue)\($0.text)" } == [" one", "-two", "+2", " three", "+four"])
        #expect(!RunDiff(run(1, output: "hi", kind: "json"), run(2, output: "hi", kind: "text")).equal)
    }

    @Test("a failed run is compared by its status and error kind")
    func failures() {
        let timedOut = run(1, output: .null, kind: "none", status: "timeout", error: ["kind": "timeout", "message": "late"])
        let again = run(2, output: .null, kind: "none", status: "timeout", error: ["kind": "timeout", "message": "late"])
        #expect(RunDiff(timedOut, again).equal)
        let succeeded = run(3, output: "{}", kind: "text")
        let diff = RunDiff(timedOut, succeeded)
        #expect(!diff.equal)
        #expect(diff.lines.first == .init(side: .first, text: "(no output: timeout, timeout: late)"))
    }
}
