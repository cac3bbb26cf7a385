import LogbookCore

/// The rows of a runs table, shared by the runs page and the child rows a parent expands into.
struct RunsTable: Sendable {
    /// The param and metric columns the person picked (or the page picked for them).
    var params: [String]
    var metrics: [String]
    var viewType: ViewType
    var now: Int64

    /// Attribute columns before the params and metrics: select, name, status, start, duration,
    /// user, source, commit.
    static let attributeColumnCount = 8

    var columnCount: Int { Self.attributeColumnCount + params.count + metrics.count }

    /// Where a parent row fetches its children (the page script adds `parent` and `depth`).
    var childrenURL: UIURL {
        UIURL(
            "/fragments/children",
            [
                ("params", params.joined(separator: ",")), ("metrics", metrics.joined(separator: ",")),
                ("view", viewType == .activeOnly ? "active" : viewType == .deletedOnly ? "deleted" : "all"),
            ])
    }

    func rows(_ runs: [Run], depth: Int, childCounts: [String: Int], linkParents: Bool) -> HTML {
        runs.map { row($0, depth: depth, children: childCounts[$0.id] ?? 0, linkParent: linkParents) }.joined()
    }

    func row(_ run: Run, depth: Int, children: Int, linkParent: Bool) -> HTML {
        let info = run.info
        let toggle: HTML =
            children > 0
            ? "<button type=\"button\" class=\"toggle\" aria-expanded=\"false\" aria-label=\"Show \(children) child runs of \(info.runName)\" data-run-id=\"\(info.runID)\">\(children)</button>"
            : "<span class=\"toggle-space\"></span>"
        let parentID = run.data.tag(SystemTag.parentRunID)
        let parent: HTML =
            linkParent && parentID != nil
            ? " <a class=\"parent-link\" href=\"\(UIURL("/runs/\(parentID!)"))\" title=\"Parent run\">↑ parent</a>" : ""
        let deleted = HTML.when(info.lifecycleStage == .deleted, " <span class=\"badge deleted\">deleted</span>")
        let source = run.data.tag(SystemTag.sourceName)
        let commit = run.data.tag(SystemTag.gitCommit)
        let paramCells = params.map { key -> HTML in "<td class=\"num\">\(run.data.param(key) ?? "")</td>" }
        let metricCells = metrics.map { key -> HTML in
            "<td class=\"num\">\(run.data.metric(key).map(UIFormat.number) ?? "")</td>"
        }
        let duration = UIFormat.duration(start: info.startTime, end: info.endTime, now: now)
        return """
            <tr data-run-id="\(info.runID)" data-depth="\(depth)" class="status-\(info.status.rawValue.lowercased())">
            <td class="select"><input type="checkbox" name="run" value="\(info.runID)" aria-label="Select \(info.runName)"></td>
            <td class="name">\(toggle)<a href="\(UIURL("/runs/\(info.runID)"))">\(info.runName)</a>\(deleted)\(parent)</td>
            <td>\(StatusBadge.html(info.status))</td>
            <td>\(UIFormat.time(info.startTime))</td>
            <td class="num\(info.endTime == nil ? " live-duration" : "")" data-start="\(info.startTime)">\(duration)</td>
            <td>\(info.userID)</td>
            <td title="\(source ?? "")">\(UIFormat.basename(source))</td>
            <td><code title="\(commit ?? "")">\(UIFormat.commit(commit))</code></td>
            \(paramCells)\(metricCells)
            </tr>
            """
    }

    /// How many children each of `runs` has (counted up to a few thousand per page).
    static func childCounts(of runs: [Run], store: any TrackingStore, viewType: ViewType) async throws -> [String: Int]
    {
        guard !runs.isEmpty else { return [:] }
        let ids = runs.map { "'\($0.id)'" }.joined(separator: ", ")
        let experiments = Array(Set(runs.map(\.info.experimentID))).sorted()
        var counts: [String: Int] = [:]
        var token: String?
        var seen = 0
        repeat {
            let page = try await store.searchRuns(
                experimentIDs: experiments, filter: "tags.`\(SystemTag.parentRunID)` IN (\(ids))", viewType: viewType,
                maxResults: 1000, orderBy: [], pageToken: token)
            for child in page.items {
                if let parent = child.data.tag(SystemTag.parentRunID) { counts[parent, default: 0] += 1 }
            }
            seen += page.items.count
            token = page.nextPageToken
        } while token != nil && seen < 5000
        return counts
    }
}

/// A run's status as a badge: RUNNING pulses, FAILED and KILLED stand out.
enum StatusBadge {
    static func html(_ status: RunStatus) -> HTML {
        "<span class=\"status \(status.rawValue.lowercased())\">\(status.rawValue)</span>"
    }
}
