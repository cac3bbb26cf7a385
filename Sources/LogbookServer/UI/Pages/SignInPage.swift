import Foundation
import HTTPTypes
import Hummingbird
import LogbookCore
import LogbookWire

/// The web UI's sign-in form (`/login`) and sign-out (`POST /logout`) for `logbook server
/// --auth`. Signing in sets an HttpOnly, SameSite=Strict session cookie whose secret the store
/// keeps only as a digest; it lasts ``AccessConfiguration/sessionLifetime``. API clients keep
/// using Basic credentials or tokens and never see these pages.
enum SignInPage {
    static let path = "/login"
    static let signOutPath = "/logout"

    /// Who is signed in, for the page frame's "Sign out" (set while a signed-in request is answered).
    @TaskLocal static var caller: User?

    static func url(next: String?) -> UIURL {
        UIURL(path, next.map { [("next", $0)] } ?? [])
    }

    /// The answer for `/login` and `/logout`; `nil` for every other path.
    static func respond(
        to request: Request, access: AccessControl, server: ServerContext, context: ServerRequestContext
    ) async throws -> Response? {
        switch request.uri.path {
        case path:
            if request.method == .get {
                return UIResponse.page(render(next: safeNext(UIQuery(request.uri.query).list("next").first)))
            }
            try APIResponder.checkMethod(request, allowed: [.get, .post])
            var request = request
            let body = try await request.collectBody(upTo: 16 << 10)
            let form = WireMessage(query: String(buffer: body).replacingOccurrences(of: "+", with: "%20"))
            let username = try form.string("username") ?? ""
            let password = try form.string("password") ?? ""
            let next = safeNext(try form.string("next")) ?? "/"
            let user: User?
            do {
                user = try await access.verify(username: username, password: password, address: context.peer)
            } catch let error as LogbookError where error.code == .requestLimitExceeded {
                return UIResponse.page(
                    render(next: next, username: username, error: error.message), status: .tooManyRequests)
            }
            guard let user else {
                return UIResponse.page(
                    render(next: next, username: username, error: "Wrong username or password."),
                    status: .unauthorized)
            }
            let secret = AccessControl.newSecret()
            let now = WallClock.nowMilliseconds()
            let lifetime = access.configuration.sessionLifetime.components.seconds
            _ = try await access.store.createToken(
                userID: user.id, kind: .session, name: "web UI", digest: AccessControl.digest(secret: secret),
                creationTime: now, expiryTime: now + lifetime * 1000)
            return Response(
                status: .seeOther,
                headers: [
                    .location: next,
                    .setCookie:
                        "\(AccessControl.sessionCookie)=\(secret); Path=/; Max-Age=\(lifetime); HttpOnly; SameSite=Strict",
                ])
        case signOutPath:
            try APIResponder.checkMethod(request, allowed: [.post])
            if let secret = AccessControl.cookie(AccessControl.sessionCookie, in: request) {
                try await access.store.deleteToken(digest: AccessControl.digest(secret: secret))
            }
            return Response(
                status: .seeOther,
                headers: [
                    .location: path,
                    .setCookie: "\(AccessControl.sessionCookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
                ])
        default:
            return nil
        }
    }

    /// Only a path on this server: no `//host` or `/\host`, which browsers would follow elsewhere.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\") else { return nil }
        return next
    }

    static func render(next: String?, username: String = "", error: String? = nil) -> HTML {
        Layout.page(
            title: "Sign in",
            body: """
                <h1>Sign in</h1>
                \(HTML.when(error != nil, "<p class=\"note error\" role=\"alert\">\(error ?? "")</p>"))
                <form class="sign-in" method="post" action="\(path)">
                <label>Username <input name="username" autocomplete="username" required autofocus value="\(username)"></label>
                <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
                <input type="hidden" name="next" value="\(next ?? "/")">
                <button type="submit">Sign in</button>
                </form>
                """)
    }
}
