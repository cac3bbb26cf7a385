import LogbookCore
import LogbookWire

/// `/compare?run=…&run=…`: 2 to 50 runs side by side — every metric charted with all runs
/// overlaid (a run keeps one colour everywhere), params with the differing values marked (and the
/// equal ones hidden on request), latest metrics, and a scatter of any param or metric against
/// any metric.
enum ComparePage {
    static let maxRuns = 50

    static func render(_ server: ServerContext, _ query: inout UIQuery) async throws -> HTML {
        var ids = query.list("run")
        if ids.count > maxRuns {
            query.notes.append("Showing the first \(maxRuns) of \(ids.count) runs: compare at most \(maxRuns) at once.")
            ids = Array(ids.prefix(maxRuns))
        }
        var runs: [Run] = []
        for id in ids { runs.append(try await server.store.run(id: id)) }
        if runs.count < 2 {
            query.notes.append("Pick at least two runs to compare: tick them in a runs table, then Compare selected.")
        }
        let chart = ChartSettings(&query)
        let onlyDiffering = query.string("diff") == "1"
        let here = UIURL("/compare", ids.map { ("run", $0) })

        let paramKeys = Set(runs.flatMap { $0.data.params.map(\.key) }).sorted()
        let metricKeys = Set(runs.flatMap { $0.data.metrics.map(\.key) }).sorted()
        let header: HTML =
            "<tr><th>Run</th>\(runs.map { "<th class=\"run-column\" data-run-id=\"\($0.id)\"><span class=\"swatch\" data-run-id=\"\($0.id)\"></span><a href=\"\(UIURL("/runs/\($0.id)"))\">\($0.info.runName)</a></th>" as HTML })</tr>"
        func table(_ title: String, _ keys: [String], kind: String, value: (Run, String) -> String?) -> HTML {
            var hidden = 0
            let rows = keys.compactMap { key -> HTML? in
                let values = runs.map { value($0, key) }
                let differs = Set(values).count > 1
                if onlyDiffering && !differs {
                    hidden += 1
                    return nil
                }
                let cells = values.map { "<td class=\"num\">\($0 ?? "—")</td>" as HTML }
                return "<tr\(HTML.when(differs, " class=\"differs\""))><th>\(key)</th>\(cells)</tr>"
            }
            let note: HTML = hidden > 0 ? "<p class=\"muted\">\(hidden) \(kind) with equal values hidden.</p>" : ""
            return """
                <section class="compare-table \(kind)"><h2>\(title) <span class="count">\(keys.count)</span></h2>
                <div class="scroll"><table class="grid compact"><thead>\(header)</thead><tbody>\(rows.isEmpty ? "<tr class=\"empty\"><td colspan=\"\(runs.count + 1)\">None</td></tr>" : rows.joined())</tbody></table></div>\(note)</section>
                """
        }
        let toggle: HTML =
            onlyDiffering
            ? "<a class=\"button\" href=\"\(here.setting("diff", nil))\">Show equal values too</a>"
            : "<a class=\"button\" href=\"\(here.setting("diff", "1"))\">Show only differences</a>"

        let axes =
            paramKeys.map { ("params.\($0)", "param \($0)") } + metricKeys.map { ("metrics.\($0)", "metric \($0)") }
        let differingParam = paramKeys.first { key in Set(runs.map { $0.data.param(key) }).count > 1 }
        let defaultX =
            (differingParam ?? paramKeys.first).map { "params.\($0)" } ?? metricKeys.first.map { "metrics.\($0)" } ?? ""
        let defaultY = metricKeys.first(where: { !$0.hasPrefix("system/") }).map { "metrics.\($0)" } ?? ""
        let scatterX = query.string("sx").flatMap { key in axes.contains { $0.0 == key } ? key : nil } ?? defaultX
        let scatterY =
            query.string("sy").flatMap { key in metricKeys.contains { "metrics.\($0)" == key } ? key : nil } ?? defaultY
        func options(_ choices: [(String, String)], _ current: String) -> HTML {
            choices.map {
                "<option value=\"\($0.0)\"\(HTML.when($0.0 == current, " selected"))>\($0.1)</option>" as HTML
            }
            .joined()
        }
        let modelKeys = metricKeys.filter { !$0.hasPrefix("system/") }
        let systemKeys = metricKeys.filter { $0.hasPrefix("system/") }
        let runsJSON = ChartSettings.runsJSON(runs)
        let title = "Compare \(runs.count) runs"
        let body: HTML = """
            <h1>\(title)</h1>
            <ul class="legend">\(runs.map { "<li data-run-id=\"\($0.id)\"><span class=\"swatch\" data-run-id=\"\($0.id)\"></span><a href=\"\(UIURL("/runs/\($0.id)"))\">\($0.info.runName)</a> \(StatusBadge.html($0.info.status))</li>" as HTML })</ul>
            <section class="charts-section" data-runs="\(runsJSON)">
            <h2>Metrics</h2>
            \(chart.controls)
            \(ChartSettings.grid(modelKeys, empty: "These runs logged no metrics."))
            \(HTML.when(!systemKeys.isEmpty, "<details class=\"system\"><summary><h2>System metrics</h2></summary>\(ChartSettings.grid(systemKeys, empty: ""))</details>"))
            </section>
            <div class="actions">\(toggle)</div>
            \(table("Params", paramKeys, kind: "params") { $0.data.param($1) })
            \(table("Latest metrics", metricKeys, kind: "metrics") { run, key in run.data.metric(key).map(UIFormat.number) })
            <section class="scatter-section" data-points="\(runsJSON)">
            <h2>Scatter</h2>
            <div class="chart-controls">
            <label>X <select name="sx">\(options(axes, scatterX))</select></label>
            <label>Y <select name="sy">\(options(metricKeys.map { ("metrics.\($0)", "metric \($0)") }, scatterY))</select></label>
            </div>
            <figure class="chart scatter"><canvas role="img" aria-label="Scatter plot"></canvas><div class="chart-note"></div></figure>
            </section>
            """
        let crumbs: [(title: String, url: UIURL?)] = [("Experiments", UIURL("/")), (title, nil)]
        return Layout.page(title: title, crumbs: crumbs, notes: query.notes, body: body)
    }
}
