/// A friendly page for an unknown experiment, run or path (or, with `--auth`, one the user may not
/// see): what was asked, and a way back.
enum NotFoundPage {
    static func render(_ message: String, title: String = "Not found") -> HTML {
        Layout.page(
            title: title, crumbs: [("Experiments", UIURL("/")), (title, nil)],
            body: """
                <h1>\(title)</h1>
                <p class="not-found">\(message)</p>
                <p><a class="button" href="/">All experiments</a></p>
                """)
    }
}
