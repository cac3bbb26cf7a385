import LogbookCore

/// The frame every page shares: head, top bar, breadcrumbs, notes about ignored query values.
enum Layout {
    static func page(title: String, crumbs: [(title: String, url: UIURL?)] = [], notes: [String] = [], body: HTML)
        -> HTML
    {
        let trail = crumbs.map { crumb -> HTML in
            if let url = crumb.url { return "<a href=\"\(url)\">\(crumb.title)</a>" }
            return "<span aria-current=\"page\">\(crumb.title)</span>"
        }
        let signedIn =
            SignInPage.caller.map { caller -> HTML in
                "<form class=\"sign-out\" method=\"post\" action=\"\(SignInPage.signOutPath)\"><span>\(caller.username)</span> <button type=\"submit\">Sign out</button></form>"
            } ?? .empty
        let noteList = notes.map { note -> HTML in "<p class=\"note\" role=\"status\">\(note)</p>" }
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>\(title) · Logbook</title>
            <link rel="stylesheet" href="\(Assets.url("style.css"))">
            <link rel="icon" href="\(Assets.url("icon.svg"))" type="image/svg+xml">
            <script type="module" src="\(Assets.url("app.js"))"></script>
            </head>
            <body>
            <header class="top"><a class="brand" href="/">Logbook</a><nav class="sections" aria-label="Sections"><a href="/">Experiments</a><a href="/models">Models</a></nav>\(HTML.when(!trail.isEmpty, "<nav class=\"crumbs\" aria-label=\"Breadcrumbs\">\(trail.joined(separator: "<span class=\"sep\">/</span>"))</nav>"))\(signedIn)</header>
            <main>
            \(noteList)
            \(body)
            </main>
            <footer class="site">Logbook \(LogbookVersion.current) · MLflow \(ServerEndpoints.mlflowVersion) tracking API</footer>
            </body>
            </html>
            """
    }
}
