import Foundation
import JSON
import TestSupport
import Testing

/// The status page of the real daemon, loaded by a real browser (headless Chromium, driven
/// over the DevTools protocol by Tests/Fixtures/status_page_browser.py) and asked by curl.
@Suite("skillhostd's status page, in headless Chromium and through curl")
struct StatusPageEndToEndTests {
    /// No inference server is needed: nothing here completes text.
    private let noInference = URL(string: "http://127.0.0.1:9")!
    private let form = "Content-Type: application/x-www-form-urlencoded"



    @Test("Chromium opens /, gets the login form, logs in with an admin token and sees the run just made; a screenshot is taken")
    func browserLogsInAndSeesTheRun() async throws {
        let daemon = try await DaemonHarness.servingHTTP(installing: ["echo"])
        let ran = try await daemon.call("skills.run", ["skill": "echo", "input": ["page": 1]])
        let runID = try #require(ran["run_id"]?.int64Value, "\(ran)")
        let token = try await daemon.createToken("operator", scope: "admin")
        let client = try CurlClient(daemon: daemon)
        let output = try TemporaryDirectory(prefix: "status-page")

        let browser = try await ProgramRun.run("python3", [
            BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/status_page_browser.py").path,
            client.base, token, output.path,
        ], timeout: .seconds(120))
        #expect(browser.succeeded, "\(browser)")
        let seen = try JSONValue(parsing: browser.standardOutput)

        #expect(seen["has_password_field"] == true, "\(seen)")
        #expect(seen["login_text"]?.stringValue?.contains("An admin token") == true, "\(seen)")
        #expect(seen["url"]?.stringValue == client.base + "/", "the form's 303 leads back to /: \(seen)")
        #expect(seen["title"] == "skillhost status", "\(seen)")
        #expect(seen["cookie"] == "", "the cookie is HttpOnly: no script reads it: \(seen)")
        let text = try #require(seen["text"]?.stringValue, "\(seen)")
        #expect(text.contains("Latest runs (1)") && text.contains("Skills (1)"), "\(text)")
        #expect(text.contains("\(runID)\techo@1.0.0\tsucceeded\t"), "the run's row: its id, skill and status: \(text)")
        #expect(text.contains("Runs per minute, last 60 minutes (1 run)"), "\(text)")
        #expect(text.contains("\ndefault-1\tdefault\thttp://127.0.0.1:9\tunhealthy\t"), "the endpoint's health: \(text)")

        let screenshot = try #require(FileManager.default.contents(atPath: output.path("status-page.png")))
        #expect(screenshot.count > 20_000, "a page's worth of pixels, not a blank: \(screenshot.count) bytes")
        #expect(Array(screenshot.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        let header = Array(screenshot.dropFirst(12).prefix(12))
        let width = header[4...7].reduce(0) { $0 << 8 | Int($1) }, height = header[8...11].reduce(0) { $0 << 8 | Int($1) }
        #expect(header.prefix(4) == Array("IHDR".utf8)[...] && width >= 800 && height >= 600, "\(width)×\(height)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("the login: no token gets the form, a refused token 401 or 403 and no cookie, an admin token the cookie and a 303")
    func login() async throws {
        let daemon = try await DaemonHarness.servingHTTP(installing: ["echo"])
        let client = try CurlClient(daemon: daemon)
        let admin = try await daemon.createToken("operator", scope: "admin")
        let runner = try await daemon.createToken("ci", scope: "run")

        let page = try await client.get("/")
        #expect(page.status == 401 && page.headers["content-type"] == "text/html; charset=utf-8", "\(page)")
        #expect(page.body.contains(#"<form class="login" method="post" action="/login">"#), "\(page)")
        #expect(page.body.contains(#"<input type="password" id="token" name="token""#), "\(page)")
        #expect(page.headers["set-cookie"] == nil && page.headers["content-security-policy"]?.contains("default-src 'none'") == true)

        let wrong = try await client.request("POST", "/login", headers: [form], body: "token=shk_not-a-token")
        #expect(wrong.status == 401 && wrong.headers["set-cookie"] == nil, "\(wrong)")
        #expect(wrong.body.contains("The token is refused: the bearer token is not known"), "\(wrong)")
        #expect(!wrong.body.contains("shk_not-a-token"), "a refusal never repeats the token")
        let empty = try await client.request("POST", "/login", headers: [form], body: "token=")
        #expect(empty.status == 401 && empty.headers["set-cookie"] == nil && empty.body.contains("Give an admin token."), "\(empty)")
        let runScope = try await client.request("POST", "/login", headers: [form], body: "token=\(runner)")
        #expect(runScope.status == 403 && runScope.headers["set-cookie"] == nil, "\(runScope)")
        #expect(runScope.body.contains("token &quot;ci&quot; has scope run, and this needs admin"), "\(runScope)")

        let crossSite = try await client.request("POST", "/login", headers: [form, "Origin: http://evil.example"],
                                                 body: "token=\(admin)")
        #expect(crossSite.status == 403 && crossSite.headers["set-cookie"] == nil, "\(crossSite)")
        #expect(crossSite.body.contains("sent from another site"), "\(crossSite)")

        let host = String(client.base.dropFirst("http://".count))
        let loggedIn = try await client.request("POST", "/login", headers: [form, "Origin: \(client.base)", "Host: \(host)"],
                                                body: "token=\(admin)")
        #expect(loggedIn.status == 303 && loggedIn.headers["location"] == "/", "\(loggedIn)")
        #expect(loggedIn.headers["set-cookie"] == "skillhost_token=\(admin); Path=/; HttpOnly; SameSite=Strict", "\(loggedIn)")

        let withCookie = try await client.get("/", headers: ["Cookie: skillhost_token=\(admin)"])
        #expect(withCookie.status == 200 && withCookie.body.contains("<h2>Skills (1)</h2>"), "\(withCookie)")
        #expect(withCookie.body.contains(#"<meta http-equiv="refresh" content="5">"#))
        let bearer = try await client.with(token: admin).get("/")
        #expect(bearer.status == 200 && bearer.body.contains("<title>skillhost status</title>"), "a bearer token does too: \(bearer)")
        let runBearer = try await client.with(token: runner).get("/")
        #expect(runBearer.status == 403 && runBearer.body.contains("action=\"/login\""), "\(runBearer)")

        let loggedOut = try await client.request("POST", "/logout")
        #expect(loggedOut.status == 303 && loggedOut.headers["location"] == "/", "\(loggedOut)")
        #expect(loggedOut.headers["set-cookie"] == "skillhost_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict", "\(loggedOut)")

        let revoked = try await daemon.skillctl("tokens", "revoke", "operator")
        #expect(revoked.status == 0, "\(revoked.standardError)")
        let afterRevoke = try await client.get("/", headers: ["Cookie: skillhost_token=\(admin)"])
        #expect(afterRevoke.status == 401 && afterRevoke.body.contains("was revoked"), "\(afterRevoke)")
        #expect(afterRevoke.headers["set-cookie"]?.hasPrefix("skillhost_token=; Max-Age=0") == true, "a dead cookie is cleared")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("over TLS the cookie is Secure, set and cleared alike")
    func secureCookieOverTLS() async throws {
        let directory = try TemporaryDirectory(prefix: "status-tls")
        let certificate = try await SelfSignedCertificate.make(in: directory)
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: [
            "--http-listen", "127.0.0.1:0", "--http-tls-cert", certificate.certificatePath, "--http-tls-key", certificate.keyPath,
        ], directory: directory)
        let base = try HTTPListenerReloadTests.baseURL(of: daemon, scheme: "https")
        let admin = try await daemon.createToken("operator", scope: "admin")
        let curl = ["-sS", "-o", "/dev/null", "-D", "-", "--cacert", certificate.certificatePath]

        let login = try await ProgramRun.run("curl", curl + ["-H", form, "--data-binary", "token=\(admin)", "\(base)/login"])
        #expect(login.standardOutput.contains("HTTP/1.1 303 See Other"), "\(login)")
        #expect(login.standardOutput.contains("Set-Cookie: skillhost_token=\(admin); Path=/; HttpOnly; SameSite=Strict; Secure\r\n"),
                "\(login)")
        let logout = try await ProgramRun.run("curl", curl + ["-X", "POST", "\(base)/logout"])
        #expect(logout.standardOutput.contains("Set-Cookie: skillhost_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure\r\n"),
                "\(logout)")
        let page = try await ProgramRun.run("curl", curl + ["-H", "Cookie: skillhost_token=\(admin)", "\(base)/"])
        #expect(page.standardOutput.hasPrefix("HTTP/1.1 200 OK"), "\(page)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("the cookie opens only the page: /rpc, /v1/... and /metrics still want the bearer token, and nothing is run")
    func cookieIsNotAnAPIToken() async throws {
        let daemon = try await DaemonHarness.servingHTTP(installing: ["echo"])
        let client = try CurlClient(daemon: daemon)
        let admin = try await daemon.createToken("operator", scope: "admin")
        let cookie = "Cookie: skillhost_token=\(admin)"
        let before = try await daemon.runCount()

        let rpc = try await client.post("/rpc", json: #"{"jsonrpc": "2.0", "id": 1, "method": "skills.run", "params": {"skill": "echo"}}"#,
                                        headers: [cookie])
        #expect(rpc.status == 401 && rpc.headers["www-authenticate"] == "Bearer", "\(rpc)")
        let run = try await client.post("/v1/skills/echo/run", json: "{}", headers: [cookie])
        #expect(run.status == 401, "\(run)")
        #expect(try await client.get("/v1/skills", headers: [cookie]).status == 401)
        #expect(try await client.get("/metrics", headers: [cookie]).status == 401)
        #expect(try await daemon.runCount() == before, "nothing was run")
        #expect(try await client.get("/", headers: [cookie]).status == 200, "while the page takes it")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a run whose error holds <script> shows it as text: the page has no script element")
    func escapesARunsError() async throws {
        let daemon = try await DaemonHarness.servingHTTP(installing: ["fails_with_input"])
        let client = try CurlClient(daemon: daemon, token: try await daemon.createToken("operator", scope: "admin"))
        let failed = try await client.post("/v1/skills/fails-with-input/run", json: #""<script>alert(document.cookie)</script>""#)
        #expect(failed.status == 500 && failed.headers["skillhost-run-id"] != nil, "\(failed)")

        let page = try await client.get("/")
        #expect(page.status == 200, "\(page)")
        #expect(!page.body.lowercased().contains("<script"), "\(page.body)")
        #expect(page.body.contains("skill_failed: the skill failed: &quot;&lt;script&gt;alert(document.cookie)&lt;/script&gt;&quot;"), "\(page.body)")
        #expect(try await daemon.stop() == .exited(0))
    }
}
