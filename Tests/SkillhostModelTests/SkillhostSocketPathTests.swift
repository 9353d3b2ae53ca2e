import SkillhostModel
import Testing

@Suite("Socket path")
struct SkillhostSocketPathTests {
    @Test("the default socket path follows SKILLHOST_SOCKET, then XDG_RUNTIME_DIR, then /tmp")
    func socketPath() {
        #expect(SkillhostSocketPath.default(environment: ["SKILLHOST_SOCKET": "/a.sock", "XDG_RUNTIME_DIR": "/run/user/1"]) == "/a.sock")
        #expect(SkillhostSocketPath.default(environment: ["XDG_RUNTIME_DIR": "/run/user/1"]) == "/run/user/1/skillhost/skillhostd.sock")
        #expect(SkillhostSocketPath.default(environment: ["XDG_RUNTIME_DIR": "relative"], userID: 7) == "/tmp/skillhost-7/skillhostd.sock")
        #expect(SkillhostSocketPath.default(environment: [:], userID: 1000) == "/tmp/skillhost-1000/skillhostd.sock")
        #expect(SkillhostSocketPath.resolve(explicit: "/x.sock", environment: ["SKILLHOST_SOCKET": "/a.sock"]) == "/x.sock")
        #expect(SkillhostSocketPath.resolve(explicit: nil, environment: ["SKILLHOST_SOCKET": "/a.sock"]) == "/a.sock")
    }
}
