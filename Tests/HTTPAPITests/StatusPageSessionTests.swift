@testable import HTTPAPI
import HTTPServer
import Testing

/// The status page's cookie and the same-origin check of its forms.
@Suite("The status page's session")
struct StatusPageSessionTests {
    private func request(_ headers: HTTPHeaders) -> HTTPRequest {
        HTTPRequest(method: "POST", target: "/login", path: "/login", headers: headers)
    }

    @Test("the cookie is HttpOnly, SameSite=Strict, for the whole site, Secure over TLS; clearing it expires it")
    func cookieAttributes() {
        #expect(StatusPageSession.cookie(keeping: "shk_abc", secure: false) == "skillhost_token=shk_abc; Path=/; HttpOnly; SameSite=Strict")
        #expect(StatusPageSession.cookie(keeping: "shk_abc", secure: true)
            == "skillhost_token=shk_abc; Path=/; HttpOnly; SameSite=Strict; Secure")
        #expect(StatusPageSession.clearingCookie(secure: false) == "skillhost_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict")
        #expect(StatusPageSession.clearingCookie(secure: true)
            == "skillhost_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure")
    }

    @Test("the token is read from the cookie of its name, among others, in any Cookie field")
    func readsTheCookie() {
        #expect(StatusPageSession.token(in: request(["Cookie": "a=1; skillhost_token=shk_x; b=2"])) == "shk_x")
        #expect(StatusPageSession.token(in: request(["Cookie": "a=1", "Cookie": "skillhost_token=shk_y"])) == "shk_y")
        #expect(StatusPageSession.token(in: request(["Cookie": "skillhost_token="])) == nil)
        #expect(StatusPageSession.token(in: request(["Cookie": "other_skillhost_token=shk_z"])) == nil)
        #expect(StatusPageSession.token(in: request([:])) == nil)
    }

    @Test("a form is taken from this server's own pages, or from a client that names no origin; from another site, never")
    func sameOrigin() {
        let host = "127.0.0.1:8480"
        #expect(StatusPageSession.isSameOrigin(request(["Host": host, "Origin": "http://127.0.0.1:8480"])))
        #expect(StatusPageSession.isSameOrigin(request(["Host": host, "Origin": "https://127.0.0.1:8480"])))
        #expect(StatusPageSession.isSameOrigin(request(["Host": host, "Referer": "http://127.0.0.1:8480/?x=1"])))
        #expect(StatusPageSession.isSameOrigin(request(["Host": host])), "curl sends neither")
        #expect(!StatusPageSession.isSameOrigin(request(["Host": host, "Origin": "http://evil.example"])))
        #expect(!StatusPageSession.isSameOrigin(request(["Host": host, "Origin": "http://127.0.0.1:8481"])))
        #expect(!StatusPageSession.isSameOrigin(request(["Host": host, "Origin": "http://127.0.0.1:8480.evil.example"])))
        #expect(!StatusPageSession.isSameOrigin(request(["Host": host, "Origin": "null"])), "a sandboxed frame's form")
        #expect(!StatusPageSession.isSameOrigin(request(["Host": host, "Referer": "http://evil.example/127.0.0.1:8480"])))
        #expect(!StatusPageSession.isSameOrigin(request(["Origin": "http://127.0.0.1:8480"])), "no Host to compare with")
        #expect(StatusPageSession.isSameOrigin(request(["Host": host, "Origin": "http://127.0.0.1:8480", "Sec-Fetch-Site": "same-origin"])))
        #expect(!StatusPageSession.isSameOrigin(request(["Host": host, "Origin": "http://127.0.0.1:8480", "Sec-Fetch-Site": "same-site"])),
                "another port of the same host is another site's page")
        #expect(!StatusPageSession.isSameOrigin(request(["Host": host, "Sec-Fetch-Site": "cross-site"])))
    }

    @Test("a form's body is read as a browser encodes it")
    func formParameters() {
        var form = request(["Content-Type": "application/x-www-form-urlencoded"])
        form.body = Array("token=shk_a%2Bb+c&other=1".utf8)
        #expect(form.formParameters.map(\.name) == ["token", "other"])
        #expect(form.formParameters.first?.value == "shk_a+b c")
        form.headers = ["Content-Type": "text/plain"]
        #expect(form.formParameters.isEmpty, "a body of another type is no form")
    }
}
