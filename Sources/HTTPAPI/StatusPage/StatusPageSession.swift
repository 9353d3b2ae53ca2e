import HTTPServer

/// How a browser keeps the status page's token: a cookie that `POST /login` sets once the
/// token is checked, and that only the page's routes read
/// (``HTTPRouteAccess/tokenOrSessionCookie(_:)``).
///
/// The cookie holds the token itself, so that revoking the token (`skillctl tokens revoke`)
/// ends every session of it at once. It is `HttpOnly` (no script reads it), `SameSite=Strict`
/// (no other site's page makes the browser send it), `Path=/`, and `Secure` (sent over TLS
/// only) when the listener speaks TLS, and lasts until the browser closes.
enum StatusPageSession {
    /// The cookie's name.
    static let cookieName = "skillhost_token"

    /// The token of the request's cookie, if it has one.
    static func token(in request: HTTPRequest) -> String? {
        for header in request.headers.values(named: "Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: " ") == cookieName else { continue }
                let value = parts[1].trimmingCharacters(in: " ")
                if !value.isEmpty { return value }
            }
        }
        return nil
    }

    /// The `Set-Cookie` value that keeps `token`, a token the registry accepted (its
    /// characters, `shk_` and base64url, are all a cookie's value may hold); `secure` over TLS.
    static func cookie(keeping token: String, secure: Bool) -> String {
        "\(cookieName)=\(token); \(attributes(secure: secure))"
    }

    /// The `Set-Cookie` value that makes the browser forget the cookie; `secure` over TLS.
    static func clearingCookie(secure: Bool) -> String {
        "\(cookieName)=; Max-Age=0; \(attributes(secure: secure))"
    }

    private static func attributes(secure: Bool) -> String {
        "Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Whether a form posted by `request` comes from a page of this server, as far as the
    /// browser tells: its `Sec-Fetch-Site`, if sent, is `same-origin` (or `none`: the user's
    /// own doing), and its `Origin` (or, without one, its `Referer`) names the host and port
    /// the request was sent to (`Host`). A request that has neither (not a browser's, or one
    /// that tells nothing) passes: forging a form needs a browser, and browsers send `Origin`
    /// with every form they post.
    static func isSameOrigin(_ request: HTTPRequest) -> Bool {
        if let site = request.headers["Sec-Fetch-Site"]?.lowercased(), site != "same-origin", site != "none" { return false }
        guard let source = request.headers["Origin"] ?? request.headers["Referer"] else { return true }
        guard let host = request.headers["Host"], let authority = authority(of: source) else { return false }
        return authority.lowercased() == host.lowercased()
    }

    /// `HOST:PORT` of `http://HOST:PORT/...` or `https://...`; nil for anything else (`null`).
    private static func authority(of url: String) -> String? {
        for scheme in ["http://", "https://"] where url.lowercased().hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            return String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        }
        return nil
    }
}

extension Substring {
    /// The text without `character` at either end.
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
