/// The form the status page answers a browser without an admin token: a password field for
/// the token, sent to `POST /login`, and a message saying why it is asked again, if it is.
enum LoginPage {
    /// The form's field that holds the token.
    static let tokenField = "token"

    /// The page, with `message` (escaped) above the form.
    static func html(message: String?) -> String {
        let notice = message.map { "<p class=\"message\" role=\"alert\">\(HTML.escaped($0))</p>\n" } ?? ""
        return PageLayout.document(title: "skillhost: log in", body: """
            <form class="login" method="post" action="\(StatusPageRoutes.loginPath)">
            <h1>skillhost</h1>
            \(notice)<label for="\(tokenField)">An admin token (<code>skillctl tokens create NAME --scope admin</code>)</label>
            <input type="password" id="\(tokenField)" name="\(tokenField)" autocomplete="current-password" required autofocus>
            <button type="submit">Log in</button>
            </form>
            """)
    }
}
