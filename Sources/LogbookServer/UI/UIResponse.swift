import HTTPTypes
import Hummingbird
import NIOCore

/// Answers of the web UI: pages, fragments and assets, each with the headers that keep a
/// run's data from ever running as script on the server's origin.
enum UIResponse {
    /// No inline script or style, nothing from another origin, no framing, no plugins.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

    static func securityHeaders(contentType: String) -> HTTPFields {
        [
            .contentType: contentType,
            .contentSecurityPolicy: contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
            .init("Referrer-Policy")!: "same-origin",
            .cacheControl: "no-store",
        ]
    }

    static func page(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: securityHeaders(contentType: "text/html; charset=utf-8"),
            body: ResponseBody(byteBuffer: ByteBuffer(string: html.text)))
    }

    /// Table rows for the page script to insert.
    static func fragment(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        page(html, status: status)
    }

    static func redirect(_ url: UIURL) -> Response {
        Response(status: .seeOther, headers: [.location: url.description])
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
}
