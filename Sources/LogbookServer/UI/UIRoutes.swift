import HTTPTypes
import Hummingbird
import LogbookCore
import LogbookWire

/// The web UI's paths: pages, the child-rows fragment, assets, and artifact downloads.
/// Everything else falls through to the API's 404.
enum UIRoutes {
    /// The answer for `request`, or `nil` when the path is not the UI's.
    static func respond(to request: Request, server: ServerContext, context: ServerRequestContext) async throws
        -> Response?
    {
        let path = request.uri.path
        if path.hasPrefix("/static/") {
            try APIResponder.checkMethod(request, allowed: [.get])
            return Assets.response(path.dropFirst("/static/".count), request: request)
        }
        if path == "/get-artifact" {
            try APIResponder.checkMethod(request, allowed: [.get])
            return try await ArtifactDownload.respond(to: request, server: server, context: context)
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var query = UIQuery(request.uri.query)
        let page: (inout UIQuery) async throws -> HTML
        switch parts.count {
        case 0: page = { try await ExperimentsPage.render(server, &$0) }
        case 1 where parts[0] == "runs":
            let ids = query.list("experiment")
            page = { query in
                guard !ids.isEmpty else {
                    query.notes.append("Pick one or more experiments to list their runs.")
                    return try await ExperimentsPage.render(server, &query)
                }
                return try await RunsPage.render(server, experimentIDs: ids, &query)
            }
        case 1 where parts[0] == "compare": page = { try await ComparePage.render(server, &$0) }
        case 1 where parts[0] == "models": page = { try await ModelsPage.render(server, &$0) }
        case 2 where parts[0] == "models":
            let name = WireMessage.percentDecode(parts[1][...])
            page = { try await RegisteredModelPage.render(server, name: name, &$0) }
        case 2 where parts[0] == "experiments":
            page = { try await RunsPage.render(server, experimentIDs: [parts[1]], &$0) }
        case 2 where parts[0] == "runs": page = { try await RunPage.render(server, runID: parts[1], &$0) }
        case 2 where parts == ["fragments", "children"]:
            try APIResponder.checkMethod(request, allowed: [.get])
            do {
                return UIResponse.fragment(try await RunsPage.children(server, &query))
            } catch let error as LogbookError {
                return UIResponse.fragment(
                    "<tr class=\"error\"><td colspan=\"20\">\(error.message)</td></tr>",
                    status: HTTPResponse.Status(code: error.httpStatus))
            }
        default: return nil
        }
        try APIResponder.checkMethod(request, allowed: [.get])
        do {
            return UIResponse.page(try await page(&query))
        } catch let error as LogbookError where error.code == .resourceDoesNotExist {
            return UIResponse.page(NotFoundPage.render(error.message), status: .notFound)
        } catch let error as LogbookError where error.code == .permissionDenied {
            return UIResponse.page(NotFoundPage.render(error.message, title: "Not allowed"), status: .forbidden)
        } catch let error as LogbookError where error.code == .invalidParameterValue {
            // An id that is not an id, say: the same friendly page, it names nothing that exists.
            return UIResponse.page(NotFoundPage.render(error.message), status: .notFound)
        }
    }
}
