/// The frame of the pages the daemon serves to a browser (the status page and its login
/// form): one HTML document with its style inline, so that a page needs no other request.
enum PageLayout {
    /// A document titled `title` (escaped) around `body` (HTML); with `refreshSeconds`, the
    /// browser reloads it that often.
    static func document(title: String, refreshSeconds: Int? = nil, body: String) -> String {
        let refresh = refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">\n" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            \(refresh)<meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escaped(title))</title>
            <style>\(style)</style>
            </head>
            <body>
            \(body)
            </body>
            </html>

            """
    }

    private static let style = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 78em; padding: 0 1em; color: #1d2430; background: #f6f7f9; }
        header { display: flex; align-items: baseline; gap: 1em; flex-wrap: wrap; }
        h1 { font-size: 1.5em; margin: 0; } h2 { font-size: 1.1em; margin: 0 0 .5em; }
        .facts { color: #5b6575; margin: 0; flex: 1; }
        section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .8em 1em; margin: 1em 0; overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #eceff3; vertical-align: top; }
        th { color: #5b6575; font-weight: 600; }
        td.error { color: #a1262d; font-family: ui-monospace, monospace; font-size: .9em; white-space: pre-wrap; word-break: break-word; }
        .badge { border-radius: 3px; padding: 0 .4em; font-size: .9em; }
        .good { background: #dcf3e3; color: #17602f; } .bad { background: #fbe0e1; color: #8f1d24; }
        .busy { background: #e0ebfb; color: #1f4f91; } .neutral { background: #eceff3; color: #444c58; }
        .progress { display: inline-block; width: 8em; height: .7em; background: #eceff3; border-radius: 3px; overflow: hidden; }
        .progress span { display: block; height: 100%; background: #4c8bf5; }
        .none { color: #5b6575; margin: 0; }
        svg.chart rect { fill: #4c8bf5; } svg.chart text { fill: #5b6575; font-size: 11px; }
        form.login { max-width: 28em; margin: 4em auto; background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 1.5em; }
        form.login input { width: 100%; box-sizing: border-box; padding: .4em; margin: .5em 0 1em; font: inherit; }
        .message { color: #8f1d24; background: #fbe0e1; border-radius: 4px; padding: .5em .7em; }
        button { font: inherit; padding: .3em 1em; }
        """
}
