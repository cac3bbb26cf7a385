import LogbookCore

/// `/`: the experiments, searchable with the experiment filter language, with run counts and
/// last activity; deleted ones on request; several can be opened together.
enum ExperimentsPage {
    static let pageSize = 100

    static func render(_ server: ServerContext, _ query: inout UIQuery) async throws -> HTML {
        let filter = query.string("filter")
        let view = query.choice("view", ["active", "deleted", "all"], default: "active")
        let token = query.string("page")
        var filterError: String?
        var page = Page<Experiment>(items: [])
        do {
            page = try await server.store.searchExperiments(
                filter: filter, viewType: ViewParameter.viewType(view), maxResults: pageSize, orderBy: [],
                pageToken: token)
        } catch let error as LogbookError where error.code == .invalidParameterValue {
            if token != nil, (try? ExperimentSearch(filter: filter)) != nil {
                query.notes.append("The page link is no longer valid; showing the first page.")
                page = try await server.store.searchExperiments(
                    filter: filter, viewType: ViewParameter.viewType(view), maxResults: pageSize, orderBy: [],
                    pageToken: nil)
            } else {
                filterError = error.message
            }
        }
        let activity = try await server.store.experimentActivity(ids: page.items.map(\.id))
        let here = UIURL("/", [("filter", filter ?? ""), ("view", view)].filter { !$0.1.isEmpty })
        let rows = page.items.map { experiment -> HTML in
            let stats = activity[experiment.id] ?? ExperimentActivity(runCount: 0, lastRunTime: nil)
            let tags = experiment.tags.filter { !$0.key.hasPrefix("mlflow.") }.map { tag -> HTML in
                "<span class=\"chip\">\(tag.key)=\(tag.value)</span>"
            }
            let deleted = HTML.when(
                experiment.lifecycleStage == .deleted, " <span class=\"badge deleted\">deleted</span>")
            return """
                <tr data-experiment-id="\(experiment.id)">
                <td class="select"><input type="checkbox" name="experiment" value="\(experiment.id)" aria-label="Select \(experiment.name)"></td>
                <td class="name"><a href="\(UIURL("/experiments/\(experiment.id)"))">\(experiment.name)</a>\(deleted)</td>
                <td class="num">\(experiment.id)</td>
                <td class="num">\(stats.runCount)</td>
                <td>\(UIFormat.time(stats.lastRunTime ?? experiment.lastUpdateTime))</td>
                <td>\(UIFormat.time(experiment.creationTime))</td>
                <td class="tags">\(tags)</td>
                </tr>
                """
        }
        let empty: HTML =
            filterError != nil
            ? ""
            : "<tr class=\"empty\"><td colspan=\"7\">No experiments\(filter == nil ? "" : " match this filter").</td></tr>"
        let body: HTML = """
            <h1>Experiments</h1>
            <form class="filter" method="get" action="/" role="search">
            <input type="search" name="filter" value="\(filter ?? "")" placeholder="name LIKE '%sweep%' AND tags.team = 'vision'" aria-label="Experiment filter" aria-describedby="filter-error">
            \(ViewParameter.select(view, noun: "experiments"))
            <button type="submit">Search</button>
            </form>
            \(filterError.map { "<p id=\"filter-error\" class=\"filter-error\" role=\"alert\">\($0)</p>" as HTML })
            <form method="get" action="/runs" class="selection">
            <table class="grid experiments">
            <thead><tr><th class="select"><span class="sr">Select</span></th><th>Name</th><th class="num">ID</th><th class="num">Runs</th><th>Last activity</th><th>Created</th><th>Tags</th></tr></thead>
            <tbody>\(rows.isEmpty ? empty : rows.joined())</tbody>
            </table>
            <div class="actions"><button type="submit" data-min-selected="1">Show runs of the selected experiments</button></div>
            </form>
            \(Pager.links(here: here, token: token, next: page.nextPageToken))
            """
        return Layout.page(title: "Experiments", notes: query.notes, body: body)
    }
}

/// The `view` parameter of listing pages: active, deleted or both.
enum ViewParameter {
    static func viewType(_ view: String) -> ViewType {
        switch view {
        case "deleted": .deletedOnly
        case "all": .all
        default: .activeOnly
        }
    }

    static func select(_ view: String, noun: String) -> HTML {
        let options = [("active", "Active \(noun)"), ("deleted", "Deleted \(noun)"), ("all", "Active and deleted")]
            .map { value, label -> HTML in
                "<option value=\"\(value)\"\(HTML.when(value == view, " selected"))>\(label)</option>"
            }
        return "<select name=\"view\" aria-label=\"Which \(noun)\">\(options)</select>"
    }
}

/// "First page" and "Next page" links that keep the rest of the page's state.
enum Pager {
    static func links(here: UIURL, token: String?, next: String?) -> HTML {
        guard token != nil || next != nil else { return "" }
        let first: HTML = token == nil ? "" : "<a class=\"button\" href=\"\(here.setting("page", nil))\">First page</a>"
        let following: HTML =
            next.map { "<a class=\"button\" rel=\"next\" href=\"\(here.setting("page", $0))\">Next page</a>" } ?? ""
        return "<nav class=\"pager\" aria-label=\"Pages\">\(first)\(following)</nav>"
    }
}
