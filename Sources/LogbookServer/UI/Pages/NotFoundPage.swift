/// A friendly page for an unknown experiment, run or path: what was asked, and a way back.
enum NotFoundPage {
    static func render(_ message: String) -> HTML {
        Layout.page(
            title: "Not found", crumbs: [("Experiments", UIURL("/")), ("Not found", nil)],
            body: """
                <h1>Not found</h1>
                <p class="not-found">\(message)</p>
                <p><a class="button" href="/">All experiments</a></p>
                """)
    }
}
