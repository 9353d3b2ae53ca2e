import Foundation
import Glibc
import JSON
import Logging
import Testing

/// The log as its readers see it: lines read back from a real pipe.
@Suite("Logger")
struct LoggerTests {
    /// A pipe whose write end a logger writes to; ``lines()`` closes it and reads what came.
    private final class Pipe {
        let readEnd: Int32
        let writeEnd: Int32

        init() throws {
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0, "pipe failed: errno \(errno)")
            (readEnd, writeEnd) = (ends[0], ends[1])
        }

        /// Closes the write end, reads everything written, and splits it into lines.
        func lines() -> [String] {
            close(writeEnd)
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                guard count > 0 else { break }
                bytes += buffer[..<count]
            }
            close(readEnd)
            return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
    }

    @Test("below the logger's level neither the message nor the fields are evaluated, and nothing is written")
    func linesBelowTheLevelCostNothing() throws {
        let pipe = try Pipe()
        let logger = Logger(level: .info, destination: pipe.writeEnd)
        var evaluations: [String] = []
        func message(_ text: String) -> String {
            evaluations.append("message: \(text)")
            return text
        }
        func fields(_ text: String) -> [String: JSONValue] {
            evaluations.append("fields: \(text)")
            return ["of": .string(text)]
        }

        logger.debug(message("debug"), fields("debug"))
        logger.log(.debug, message("log debug"), fields("log debug"))
        #expect(evaluations.isEmpty)

        logger.info(message("info"), fields("info"))
        logger.error(message("error"), fields("error"))
        #expect(evaluations.sorted() == ["fields: error", "fields: info", "message: error", "message: info"])
        #expect(pipe.lines().count == 3, "two lines and the empty rest after the last newline")
    }

    @Test("each line is one JSON object with ts, level, msg and the fields, whatever the message holds")
    func linesAreJSONObjects() throws {
        let pipe = try Pipe()
        let logger = Logger(level: .debug, destination: pipe.writeEnd)
        let started = Date()
        logger.debug("two\nlines and \"quotes\"", ["run_id": 7, "skill": "hello"])
        logger.warning("a field cannot pose as the line's own", ["msg": "forged", "level": "error", "ts": "never"])
        let lines = pipe.lines()

        #expect(lines.count == 3 && lines.last == "", "one line per call, each ended by a newline: \(lines)")
        let first = try JSONValue(parsing: lines[0])
        #expect(first["level"] == "debug")
        #expect(first["msg"] == "two\nlines and \"quotes\"")
        #expect(first["run_id"] == 7 && first["skill"] == "hello")
        #expect(first.objectValue?.count == 5)
        let timestamp = try #require(first["ts"]?.stringValue)
        let written = try Date(timestamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(abs(written.timeIntervalSince(started)) < 60, "ts \(timestamp) is the time of writing")

        let second = try JSONValue(parsing: lines[1])
        #expect(second["msg"] == "a field cannot pose as the line's own")
        #expect(second["level"] == "warning")
        #expect(second["ts"] != "never")
    }

    @Test("every copy of a logger shares its level: setting it on one changes what all of them write")
    func copiesShareTheLevel() throws {
        let pipe = try Pipe()
        let original = Logger(level: .info, destination: pipe.writeEnd)
        let copy = original
        copy.debug("not written: debug is below info")
        original.level = .debug
        #expect(copy.level == .debug && copy.isEnabled(.debug))
        copy.debug("written by the copy at debug")
        copy.level = .error
        original.warning("not written: warning is below error")
        original.error("written at error")
        let messages = pipe.lines().compactMap { line in
            (try? JSONValue(parsing: line))?["msg"]?.stringValue
        }
        #expect(messages == ["written by the copy at debug", "written at error"])
    }

    @Test("the text format: time, level, message, then the fields by name, quoted when they would be misread")
    func textLines() throws {
        let pipe = try Pipe()
        let logger = Logger(level: .debug, format: .text, destination: pipe.writeEnd, journalStream: nil)
        logger.info("skillhostd is serving", ["socket": "/run/s.sock", "pid": 12, "models": .array(["a", "b"]),
                                              "note": "two words", "empty": "", "msg": "forged"])
        logger.error("two\nlines")
        let lines = pipe.lines()
        #expect(lines.count == 3, "\(lines)")
        let pattern = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /#
        #expect(lines[0].prefixMatch(of: pattern) != nil, "\(lines[0])")
        #expect(lines[0].hasSuffix(#" info skillhostd is serving empty="" models=["a","b"] note="two words" pid=12 socket=/run/s.sock"#),
                "\(lines[0])")
        #expect(lines[1].hasSuffix(#" error two\nlines"#), "one call is one line: \(lines[1])")
    }

    @Test("with JOURNAL_STREAM naming the destination, each line leads with its syslog priority; naming another file, none does")
    func journalPriorities() throws {
        let pipe = try Pipe()
        var status = stat()
        #expect(fstat(pipe.writeEnd, &status) == 0)
        let journal = Logger(level: .debug, destination: pipe.writeEnd, journalStream: "\(status.st_dev):\(status.st_ino)")
        #expect(journal.writesToJournal)
        journal.debug("d")
        journal.info("i")
        journal.warning("w")
        journal.error("e")
        Logger(level: .debug, format: .text, destination: pipe.writeEnd, journalStream: "\(status.st_dev):\(status.st_ino)")
            .info("text")
        for other in ["\(status.st_dev):\(status.st_ino + 1)", "not a stream", ""] {
            let logger = Logger(level: .debug, destination: pipe.writeEnd, journalStream: other)
            #expect(!logger.writesToJournal, "\(other)")
            logger.info("plain")
        }
        let lines = pipe.lines()
        #expect(lines.count == 9, "\(lines)")
        #expect(lines[0].hasPrefix(#"<7>{"#) && lines[1].hasPrefix(#"<6>{"#) && lines[2].hasPrefix(#"<4>{"#)
            && lines[3].hasPrefix(#"<3>{"#), "\(lines)")
        #expect(try JSONValue(parsing: String(lines[1].dropFirst(3)))["msg"] == "i")
        #expect(lines[4].hasPrefix("<6>") && lines[4].hasSuffix(" info text"), "\(lines[4])")
        #expect(lines[5...7].allSatisfy { $0.hasPrefix("{") }, "\(lines)")
    }

    @Test("levels order from debug to error, and a logger writes its level and above")
    func levels() {
        #expect(Logger.Level.allCases == [.debug, .info, .warning, .error])
        #expect(Logger.Level.debug < .info && Logger.Level.info < .warning && Logger.Level.warning < .error)
        let logger = Logger(level: .warning)
        #expect(Logger.Level.allCases.filter(logger.isEnabled) == [.warning, .error])
    }
}
