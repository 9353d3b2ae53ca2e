import JSONRPC
@testable import SkillctlCommands
import Testing

/// The generic client errors of JSON-RPC, told in skillctl's terms: the daemon by name and
/// the flag or variable that picks another socket.
@Suite("skillctl's connection messages")
struct ConnectionMessageTests {
    @Test("each connection error names skillhostd and says what to do", arguments: [
        (JSONRPCClientError.notRunning(socketPath: "/s"),
         "skillhostd is not running at /s: start it with `skillhostd` (or pass --socket / set SKILLHOST_SOCKET)"),
        (.permissionDenied(socketPath: "/s"),
         "permission denied connecting to /s: the socket belongs to another user; run as that user, or pass --socket / set SKILLHOST_SOCKET"),
        (.connectionFailed(socketPath: "/s", reason: "boom"), "cannot connect to skillhostd at /s: boom"),
        (.connectionLost(socketPath: "/s", reason: nil),
         "the connection to skillhostd at /s was lost before it answered (did it stop or restart?)"),
        (.unreadableResult(method: "skills.run", reason: "no status"),
         "the server answered skills.run with a result this client cannot read (no status): is skillctl as new as the daemon?"),
    ])
    func messages(error: JSONRPCClientError, message: String) {
        #expect(Console.message(for: error) == message)
    }
}
