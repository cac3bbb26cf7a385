import Foundation
import LogbookCore

/// `/experiments/<id>` and `/runs?experiment=…`: the runs of one or several experiments, filtered
/// with Logbook's search language, sorted on the server by any column, paged by the store's tokens,
/// parents expanding into their children, runs selectable for comparison.
enum RunsPage {
    static let pageSizes = ["25", "50", "100", "200", "500"]
    /// Without a filter the table lists top-level runs; children appear under their parents.
    static let rootsFilter = "tags.`\(SystemTag.parentRunID)` IS NULL"
    static let autoColumns = 6

    static func render(_ server: ServerContext, experimentIDs: [String], _ query: inout UIQuery) async throws -> HTML {
        var experiments: [Experiment] = []
        for id in experimentIDs { experiments.append(try await server.store.experiment(id: id)) }
        let filter = query.string("filter")
        let view = query.choice("view", ["active", "deleted", "all"], default: "active")
        let viewType = ViewParameter.viewType(view)
        let size = Int(query.choice("size", pageSizes, default: "100"))!
        var order = query.string("order")
        if let given = order, (try? RunSearch(orderBy: [given])) == nil {
            query.notes.append("Ignored order=\(given): it is not a valid order_by; sorted by start time.")
            order = nil
        }
        var token = query.string("page")
        var filterError: String?
        do {
            _ = try RunSearch(filter: filter)
        } catch {
            filterError = (error as? LogbookError)?.message ?? "\(error)"
        }
        var page = Page<Run>(items: [])
        if filterError == nil {
            let search = { (token: String?) in
                try await server.store.searchRuns(
                    experimentIDs: experimentIDs, filter: filter ?? rootsFilter, viewType: viewType, maxResults: size,
                    orderBy: order.map { [$0] } ?? [], pageToken: token)
            }
            do {
                page = try await search(token)
            } catch let error as LogbookError where error.code == .invalidParameterValue && token != nil {
                query.notes.append("The page link is no longer valid; showing the first page.")
                token = nil
                page = try await search(nil)
            }
        }
        let runs = page.items
        let paramKeys = Set(runs.flatMap { $0.data.params.map(\.key) }).sorted()
        let metricKeys = Set(runs.flatMap { $0.data.metrics.map(\.key) }).sorted()
        let table = RunsTable(
            params: query.contains("params") ? query.list("params") : autoColumns(paramKeys, runs, \.data.params),
            metrics: query.contains("metrics")
                ? query.list("metrics")
                : autoColumns(metricKeys.filter { !$0.hasPrefix("system/") }, runs, \.data.metrics),
            viewType: viewType, now: Int64(Date().timeIntervalSince1970 * 1000))
        let childCounts = try await RunsTable.childCounts(of: runs, store: server.store, viewType: viewType)

        var here = UIURL(
            experimentIDs.count == 1 ? "/experiments/\(experimentIDs[0])" : "/runs",
            experimentIDs.count == 1 ? [] : experimentIDs.map { ("experiment", $0) })
        for (name, value) in [("filter", filter), ("order", order), ("view", view == "active" ? nil : view)] {
            if let value { here = here.setting(name, value) }
        }
        if size != 100 { here = here.setting("size", String(size)) }
        if query.contains("params") { here = here.setting("params", table.params.joined(separator: ",")) }
        if query.contains("metrics") { here = here.setting("metrics", table.metrics.joined(separator: ",")) }

        let title = experiments.map(\.name).joined(separator: ", ")
        let headers = sortHeaders(table, order: order, here: here)
        let emptyText = filterError != nil ? "" : filter == nil ? "No runs yet." : "No runs match this filter."
        let body: HTML = """
            <h1>\(title)</h1>
            \(experimentSummary(experiments))
            <form class="filter" method="get" action="\(here.path)" role="search">
            \(hiddenInputs(here, except: ["filter", "view", "size", "page"]))
            <input type="search" name="filter" value="\(filter ?? "")" placeholder="metrics.accuracy > 0.9 AND (params.optimizer = 'adam' OR params.lr IN ('0.01', '0.1'))" aria-label="Run filter" aria-describedby="filter-error" autocomplete="off">
            \(ViewParameter.select(view, noun: "runs"))
            <select name="size" aria-label="Runs per page">\(pageSizes.map { "<option value=\"\($0)\"\(HTML.when($0 == String(size), " selected"))>\($0) per page</option>" as HTML })</select>
            <button type="submit">Search</button>
            </form>
            \(filterError.map { "<p id=\"filter-error\" class=\"filter-error\" role=\"alert\">\($0)</p>" as HTML })
            \(columnPicker(table, params: paramKeys, metrics: metricKeys, here: here))
            <form method="get" action="/compare" class="selection" id="compare-form">
            <div class="actions"><button type="submit" data-min-selected="2" data-max-selected="50">Compare selected</button> <span class="selected-count" aria-live="polite"></span> <span class="hint">Keys: j/k move, x select, Enter open, c compare</span></div>
            <table class="grid runs" data-children-url="\(table.childrenURL)" data-live="\(runs.contains { $0.info.status == .running } ? "1" : "0")">
            <thead><tr>\(headers)</tr></thead>
            <tbody>\(runs.isEmpty ? "<tr class=\"empty\"><td colspan=\"\(table.columnCount)\">\(emptyText)</td></tr>" as HTML : table.rows(runs, depth: 0, childCounts: childCounts, linkParents: filter != nil))</tbody>
            </table>
            </form>
            \(Pager.links(here: here, token: token, next: page.nextPageToken))
            """
        var crumbs: [(title: String, url: UIURL?)] = [("Experiments", UIURL("/"))]
        crumbs.append((title, nil))
        return Layout.page(title: title, crumbs: crumbs, notes: query.notes, body: body)
    }

    /// The children of one run, as table rows one level deeper (`/fragments/children`).
    static func children(_ server: ServerContext, _ query: inout UIQuery) async throws -> HTML {
        guard let parentID = query.string("parent") else {
            throw LogbookError(.invalidParameterValue, "Missing value for required parameter 'parent'.")
        }
        let parent = try await server.store.run(id: parentID)
        let view = query.choice("view", ["active", "deleted", "all"], default: "active")
        let depth = min(max(Int(query.string("depth") ?? "1") ?? 1, 1), 100)
        let table = RunsTable(
            params: query.list("params"), metrics: query.list("metrics"), viewType: ViewParameter.viewType(view),
            now: Int64(Date().timeIntervalSince1970 * 1000))
        let page = try await server.store.searchRuns(
            experimentIDs: [parent.info.experimentID], filter: "tags.`\(SystemTag.parentRunID)` = '\(parent.id)'",
            viewType: table.viewType, maxResults: 1000, orderBy: ["attributes.start_time ASC"], pageToken: nil)
        let counts = try await RunsTable.childCounts(of: page.items, store: server.store, viewType: table.viewType)
        var rows = table.rows(page.items, depth: depth, childCounts: counts, linkParents: false)
        if page.nextPageToken != nil {
            let more = UIURL(
                "/experiments/\(parent.info.experimentID)",
                [("filter", "tags.`\(SystemTag.parentRunID)` = '\(parent.id)'")])
            rows +=
                "<tr data-depth=\"\(depth)\" class=\"more\"><td></td><td colspan=\"\(table.columnCount - 1)\"><a href=\"\(more)\">All children of \(parent.info.runName)…</a></td></tr>"
        }
        return rows
    }

    /// Up to ``autoColumns`` keys, those whose values differ across the shown runs first.
    static func autoColumns<Item>(_ keys: [String], _ runs: [Run], _ items: KeyPath<Run, [Item]>) -> [String] {
        func value(_ run: Run, _ key: String) -> String? {
            run[keyPath: items].lazy.compactMap { item -> String? in
                switch item {
                case let param as Param: param.key == key ? param.value : nil
                case let metric as Metric: metric.key == key ? String(metric.value) : nil
                default: nil
                }
            }.first
        }
        let differing = keys.filter { key in Set(runs.map { value($0, key) }).count > 1 }
        let rest = keys.filter { !differing.contains($0) }
        return Array((differing + rest).prefix(autoColumns))
    }

    static func sortHeaders(_ table: RunsTable, order: String?, here: UIURL) -> HTML {
        let current = order.flatMap { try? RunSearch(orderBy: [$0]).orderBy.first }
        func header(_ label: String, _ field: String?, numeric: Bool = false, classes: String = "") -> HTML {
            let cls: HTML = classes.isEmpty ? "" : " class=\"\(classes)\""
            guard let field, let parsed = try? RunSearch(orderBy: [field]).orderBy.first else {
                return "<th\(cls)>\(label)</th>"
            }
            let active = current?.field == parsed.field
            let ascending = current?.ascending ?? false
            let next = active ? (ascending ? "DESC" : "ASC") : (numeric ? "DESC" : "ASC")
            let sort: HTML =
                active ? " aria-sort=\"\(ascending ? "ascending" : "descending")\"" : ""
            let arrow = active ? (ascending ? " ▲" : " ▼") : ""
            return
                "<th\(cls)\(sort)><a href=\"\(here.setting("order", "\(field) \(next)").setting("page", nil))\">\(label)\(arrow)</a></th>"
        }
        var cells: [HTML] = [
            "<th class=\"select\"><input type=\"checkbox\" class=\"select-all\" aria-label=\"Select all runs on this page\"></th>",
            header("Run", "attributes.run_name"), header("Status", "attributes.status"),
            // Start time is the default order: shown as active when no order is given.
            order == nil
                ? "<th aria-sort=\"descending\"><a href=\"\(here.setting("order", "attributes.start_time ASC"))\">Started ▼</a></th>"
                : header("Started", "attributes.start_time", numeric: true),
            header("Duration", "attributes.duration", numeric: true, classes: "num"),
            header("User", "attributes.user_id"), header("Source", "tags.`\(SystemTag.sourceName)`"),
            header("Commit", "tags.`\(SystemTag.gitCommit)`"),
        ]
        cells += table.params.map { header($0, "params.`\($0)`", classes: "num param") }
        cells += table.metrics.map { header($0, "metrics.`\($0)`", numeric: true, classes: "num metric") }
        return cells.joined()
    }

    static func columnPicker(_ table: RunsTable, params: [String], metrics: [String], here: UIURL) -> HTML {
        func boxes(_ name: String, _ keys: [String], chosen: [String]) -> HTML {
            let all = chosen + keys.filter { !chosen.contains($0) }
            return all.map { key -> HTML in
                "<label><input type=\"checkbox\" name=\"\(name)\" value=\"\(key)\"\(HTML.when(chosen.contains(key), " checked"))> \(key)</label>"
            }.joined()
        }
        return """
            <details class="columns"><summary>Columns (\(table.params.count) params, \(table.metrics.count) metrics)</summary>
            <form method="get" action="\(here.path)">
            \(hiddenInputs(here, except: ["params", "metrics", "page"]))
            <input type="hidden" name="params" value=""><input type="hidden" name="metrics" value="">
            <input type="search" class="column-search" placeholder="Find a column" aria-label="Find a column">
            <fieldset><legend>Params</legend>\(boxes("params", params, chosen: table.params))</fieldset>
            <fieldset><legend>Latest metrics</legend>\(boxes("metrics", metrics, chosen: table.metrics))</fieldset>
            <button type="submit">Apply</button>
            </form>
            </details>
            """
    }

    static func hiddenInputs(_ url: UIURL, except: Set<String>) -> HTML {
        url.query.filter { !except.contains($0.name) }.map { item -> HTML in
            "<input type=\"hidden\" name=\"\(item.name)\" value=\"\(item.value)\">"
        }.joined()
    }

    static func experimentSummary(_ experiments: [Experiment]) -> HTML {
        guard experiments.count == 1, let experiment = experiments.first else {
            return "<p class=\"meta\">\(experiments.count) experiments</p>"
        }
        let description = experiment.tags.first { $0.key == SystemTag.noteContent }?.value
        return """
            <p class="meta">Experiment \(experiment.id) · artifacts at <code>\(experiment.artifactLocation)</code>\(HTML.when(experiment.lifecycleStage == .deleted, " · <span class=\"badge deleted\">deleted</span>"))</p>
            \(description.map { "<p class=\"description\">\($0)</p>" as HTML })
            """
    }
}
