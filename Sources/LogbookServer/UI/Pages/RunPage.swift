import Foundation
import LogbookCore
import LogbookWire

/// `/runs/<id>`: everything about one run — lifecycle and where it came from, params, tags and
/// latest metrics (searchable), one chart per metric (system metrics apart), its parent and
/// children, and its artifacts with previews. A RUNNING run updates itself.
enum RunPage {
    static func render(_ server: ServerContext, runID: String, _ query: inout UIQuery) async throws -> HTML {
        let run = try await server.store.run(id: runID)
        let info = run.info
        let experiment = try await server.store.experiment(id: info.experimentID)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let parentID = run.data.tag(SystemTag.parentRunID)
        let parent = try? await parentID.asyncMap { try await server.store.run(id: $0) }
        let children = try await server.store.searchRuns(
            experimentIDs: [info.experimentID], filter: "tags.`\(SystemTag.parentRunID)` = '\(info.runID)'",
            viewType: .all, maxResults: 200, orderBy: ["attributes.start_time ASC"], pageToken: nil)
        let chart = ChartSettings(&query)
        let models = try await server.store.searchLoggedModels(
            experimentIDs: [info.experimentID], filter: "source_run_id = '\(info.runID)'", datasets: [],
            maxResults: 100, orderBy: [LoggedModelOrder(field: "creation_timestamp", ascending: true)], pageToken: nil
        ).items
        // The registry versions made from this run (or its logged models); none where the caller
        // may not read them.
        let registered =
            (try? await server.registry().allModelVersions(
                filter: "run_id = '\(info.runID)'", orderBy: ["name", "version_number"])) ?? []

        let tag = { (key: String) in run.data.tag(key) }
        let dirty = tag(SystemTag.gitDirty).map { $0 == "true" ? "yes (uncommitted changes)" : "no" }
        let facts: [(String, HTML)] = [
            ("Status", StatusBadge.html(info.status)),
            ("Started", UIFormat.time(info.startTime)),
            ("Ended", "<span data-fact=\"ended\">\(info.endTime.map { UIFormat.time($0) } ?? "—")</span>"),
            (
                "Duration",
                "<span data-fact=\"duration\" class=\"\(info.endTime == nil ? "live-duration" : "")\" data-start=\"\(info.startTime)\">\(UIFormat.duration(start: info.startTime, end: info.endTime, now: now))</span>"
            ),
            ("User", "\(info.userID)"),
            ("Registered as", registered.isEmpty ? "—" : RegisteredModelPage.versionLinks(registered)),
            ("Source", "<code>\(tag(SystemTag.sourceName) ?? "—")</code>"),
            ("Entry point", "\(tag(SystemTag.entryPoint) ?? "—")"),
            ("Git commit", "<code>\(tag(SystemTag.gitCommit) ?? "—")</code>"),
            ("Git branch", "\(tag(SystemTag.gitBranch) ?? "—")"),
            ("Uncommitted changes", "\(dirty ?? "—")"),
            ("Repository", "\(tag(SystemTag.gitRepoURL) ?? "—")"),
            ("Host", "\(tag("logbook.host") ?? "—")"),
            ("Run ID", "<code>\(info.runID)</code>"),
            ("Experiment", "<a href=\"\(UIURL("/experiments/\(experiment.id)"))\">\(experiment.name)</a>"),
            ("Artifacts", "<code>\(info.artifactURI)</code>"),
        ]
        let overview = facts.map { name, value -> HTML in "<div><dt>\(name)</dt><dd>\(value)</dd></div>" }
        let description = tag(SystemTag.noteContent)

        let metricKeys = run.data.metrics.map(\.key)
        let modelKeys = metricKeys.filter { !$0.hasPrefix("system/") }
        let systemKeys = metricKeys.filter { $0.hasPrefix("system/") }
        let runsJSON = ChartSettings.runsJSON([run])

        var family: HTML = ""
        if let parent {
            family +=
                "<p>Parent: <a href=\"\(UIURL("/runs/\(parent.id)"))\">\(parent.info.runName)</a> \(StatusBadge.html(parent.info.status))</p>"
        } else if let parentID {
            family += "<p>Parent: <code>\(parentID)</code> (not found)</p>"
        }
        if !children.items.isEmpty {
            let table = RunsTable(
                params: RunsPage.autoColumns(
                    Set(children.items.flatMap { $0.data.params.map(\.key) }).sorted(), children.items, \.data.params),
                metrics: RunsPage.autoColumns(
                    Set(children.items.flatMap { $0.data.metrics.map(\.key) }).filter { !$0.hasPrefix("system/") }
                        .sorted(),
                    children.items, \.data.metrics),
                viewType: .all, now: now)
            let counts = try await RunsTable.childCounts(of: children.items, store: server.store, viewType: .all)
            family += """
                <form method="get" action="/compare" class="selection">
                <div class="actions"><button type="submit" data-min-selected="2" data-max-selected="50">Compare selected</button> <span class="selected-count" aria-live="polite"></span></div>
                <table class="grid runs" data-children-url="\(table.childrenURL)">
                <thead><tr>\(RunsPage.sortHeaders(table, order: nil, here: UIURL("/runs/\(info.runID)")))</tr></thead>
                <tbody>\(table.rows(children.items, depth: 0, childCounts: counts, linkParents: false))</tbody>
                </table>
                </form>
                \(HTML.when(children.nextPageToken != nil, "<p><a href=\"\(UIURL("/experiments/\(info.experimentID)", [("filter", "tags.`\(SystemTag.parentRunID)` = '\(info.runID)'")]))\">All children…</a></p>"))
                """
        }

        let body: HTML = """
            <div class="run-header" data-run-id="\(info.runID)" data-live="\(info.status == .running ? "1" : "0")">
            <h1>\(info.runName) \(StatusBadge.html(info.status))\(HTML.when(info.lifecycleStage == .deleted, " <span class=\"badge deleted\">deleted</span>"))</h1>
            \(description.map { "<p class=\"description\">\($0)</p>" as HTML })
            </div>
            <dl class="facts">\(overview)</dl>
            \(HTML.when(!family.text.isEmpty, "<section><h2>\(parent == nil && parentID == nil ? "Child runs" : children.items.isEmpty ? "Parent" : "Parent and child runs")</h2>\(family)</section>"))
            <section class="tables">
            \(keyValueTable("Params", run.data.params.map { ($0.key, $0.value) }, kind: "params"))
            \(keyValueTable("Latest metrics", run.data.metrics.map { ($0.key, UIFormat.number($0.value)) }, kind: "metrics"))
            \(keyValueTable("Tags", run.data.tags.filter { !$0.key.hasPrefix("mlflow.") && $0.key != "logbook.heartbeat" }.map { ($0.key, $0.value) }, kind: "tags"))
            \(keyValueTable("System tags", run.data.tags.filter { $0.key.hasPrefix("mlflow.") || $0.key == "logbook.heartbeat" }.map { ($0.key, $0.value) }, kind: "system-tags"))
            </section>
            <section class="charts-section" data-runs="\(runsJSON)">
            <h2>Metrics</h2>
            \(chart.controls)
            \(ChartSettings.grid(modelKeys, empty: "No metrics logged\(info.status == .running ? " yet" : "")."))
            \(HTML.when(!systemKeys.isEmpty, "<details class=\"system\" open><summary><h2>System metrics</h2></summary>\(ChartSettings.grid(systemKeys, empty: ""))</details>"))
            </section>
            \(HTML.when(!models.isEmpty, modelsSection(models, registered: registered, server: server)))
            <section><h2>Artifacts</h2><div class="artifacts" data-run-id="\(info.runID)"><p class="muted">Loading…</p></div></section>
            """
        let crumbs: [(title: String, url: UIURL?)] = [
            ("Experiments", UIURL("/")), (experiment.name, UIURL("/experiments/\(experiment.id)")), (info.runName, nil),
        ]
        return Layout.page(title: info.runName, crumbs: crumbs, notes: query.notes, body: body)
    }

    /// The logged models the run produced: status, latest metrics, and their top-level files.
    static func modelsSection(_ models: [LoggedModel], registered: [ModelVersion], server: ServerContext) -> HTML {
        let rows = models.map { model -> HTML in
            var latest: [String: LoggedModelMetric] = [:]
            for metric in model.metrics {
                if let current = latest[metric.key], (current.timestamp, current.step) > (metric.timestamp, metric.step)
                {
                    continue
                }
                latest[metric.key] = metric
            }
            let metrics = latest.values.sorted { $0.key < $1.key }.map { "\($0.key)=\(UIFormat.number($0.value))" }
            let entries: [ArtifactDirectory.Entry]
            if let (directory, base) = try? ArtifactLocation.resolve(model.artifactLocation, server: server) {
                entries = ((try? directory.list(base)) ?? nil) ?? []
            } else {
                entries = []
            }
            let files = entries.filter { !$0.isDirectory }.map { entry -> HTML in
                let url = UIURL(
                    "/ajax-api/2.0/mlflow/logged-models/\(model.modelID)/artifacts/files",
                    [("artifact_file_path", entry.name)])
                return "<a href=\"\(url)\">\(entry.name)</a>"
            }
            let status = model.status.rawValue
            return """
                <tr data-model-id="\(model.modelID)"><td>\(model.name)</td><td><code>\(model.modelID)</code></td>\
                <td><span class="status model-\(status.lowercased())">\(status)</span></td>\
                <td>\(UIFormat.time(model.creationTime))</td><td>\(metrics.joined(separator: " "))</td>\
                <td>\(files.isEmpty ? "—" : files.joined(separator: " "))</td>\
                <td>\(RegisteredModelPage.versionLinks(registered.filter { $0.modelID == model.modelID }))</td></tr>
                """
        }
        return """
            <section class="models"><h2>Logged models <span class="count">\(models.count)</span></h2>
            <table class="grid compact"><thead><tr><th>Name</th><th>Model ID</th><th>Status</th><th>Created</th><th>Metrics</th><th>Files</th><th>Registered as</th></tr></thead>
            <tbody>\(rows.joined())</tbody></table></section>
            """
    }

    static func keyValueTable(_ title: String, _ pairs: [(String, String)], kind: String) -> HTML {
        let rows = pairs.map { key, value -> HTML in "<tr data-key=\"\(key)\"><th>\(key)</th><td>\(value)</td></tr>" }
        return """
            <div class="kv \(kind)">
            <h2>\(title) <span class="count">\(pairs.count)</span></h2>
            \(HTML.when(pairs.count > 8, "<input type=\"search\" class=\"kv-search\" placeholder=\"Find in \(title.lowercased())\" aria-label=\"Find in \(title.lowercased())\">"))
            <table class="grid compact"><tbody>\(pairs.isEmpty ? "<tr class=\"empty\"><td>None</td></tr>" : rows.joined())</tbody></table>
            </div>
            """
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
