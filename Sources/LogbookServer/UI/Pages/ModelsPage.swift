import LogbookCore

/// `/models`: the registered models, searchable with the registry's filter language (a plain
/// word is a name search), with their latest version, aliases, tags and last update.
enum ModelsPage {
    static let pageSize = 100

    static func render(_ server: ServerContext, _ query: inout UIQuery) async throws -> HTML {
        let registry = try server.registry()
        let text = query.string("filter")
        let filter = text.map(filterText)
        let token = query.string("page")
        var filterError: String?
        var page = Page<RegisteredModel>(items: [])
        do {
            page = try await registry.searchRegisteredModels(
                filter: filter, maxResults: pageSize, orderBy: ["name ASC"], pageToken: token)
        } catch let error as LogbookError where error.code == .invalidParameterValue {
            filterError = error.message
        }
        let here = UIURL("/models", [("filter", text ?? "")].filter { !$0.1.isEmpty })
        let rows = page.items.map { model -> HTML in
            let latest = model.latestVersions.map(\.version).max()
            let aliases = model.aliases.map { alias -> HTML in
                "<span class=\"chip alias\">@\(alias.alias) → v\(String(alias.version))</span>"
            }
            let tags = model.tags.filter { !$0.key.hasPrefix("mlflow.") }.map { tag -> HTML in
                "<span class=\"chip\">\(tag.key)=\(tag.value)</span>"
            }
            return """
                <tr data-model="\(model.name)">
                <td class="name"><a href="\(UIURL("/models/\(model.name)"))">\(model.name)</a></td>
                <td class="num">\(latest.map { "v\($0)" } ?? "—")</td>
                <td class="tags">\(aliases)</td>
                <td class="tags">\(tags)</td>
                <td>\(UIFormat.time(model.lastUpdatedTime))</td>
                <td class="description">\(model.description ?? "")</td>
                </tr>
                """
        }
        let empty: HTML =
            filterError != nil
            ? ""
            : "<tr class=\"empty\"><td colspan=\"6\">No registered models\(text == nil ? " yet: register one with log_model(…, registered_model_name=…)" : " match this filter").</td></tr>"
        let body: HTML = """
            <h1>Registered models</h1>
            <form class="filter" method="get" action="/models" role="search">
            <input type="search" name="filter" value="\(text ?? "")" placeholder="churn or name LIKE 'churn%' AND tags.team = 'growth'" aria-label="Model filter" aria-describedby="filter-error">
            <button type="submit">Search</button>
            </form>
            \(filterError.map { "<p id=\"filter-error\" class=\"filter-error\" role=\"alert\">\($0)</p>" as HTML })
            <table class="grid models-list">
            <thead><tr><th>Name</th><th class="num">Latest</th><th>Aliases</th><th>Tags</th><th>Last updated</th><th>Description</th></tr></thead>
            <tbody>\(rows.isEmpty ? empty : rows.joined())</tbody>
            </table>
            \(Pager.links(here: here, token: token, next: page.nextPageToken))
            """
        return Layout.page(
            title: "Registered models", crumbs: [("Models", nil)], notes: query.notes, body: body)
    }

    /// What the search box means: a filter as typed, or a bare word as a name search.
    static func filterText(_ text: String) -> String {
        let isWord = !text.contains(" ") && !text.contains("=") && !text.contains("'") && !text.contains("\"")
        return isWord ? "name ILIKE '%\(text)%'" : text
    }
}

/// `/models/<name>`: one registered model — description, aliases, tags, and its versions with
/// their stage, aliases, source run and logged model.
enum RegisteredModelPage {
    static func render(_ server: ServerContext, name: String, _ query: inout UIQuery) async throws -> HTML {
        let registry = try server.registry()
        let model = try await registry.registeredModel(name: name)
        let versions = try await registry.versions(of: name)
        var runNames: [String: String] = [:]
        for runID in Set(versions.map(\.runID)) where !runID.isEmpty {
            runNames[runID] = (try? await server.store.run(id: runID))?.info.runName
        }
        let rows = versions.map { version -> HTML in
            let run: HTML =
                version.runID.isEmpty
                ? "—"
                : runNames[version.runID].map { "<a href=\"\(UIURL("/runs/\(version.runID)"))\">\($0)</a>" as HTML }
                    ?? "<code>\(version.runID)</code>"
            let logged: HTML = version.modelID.map { "<code>\($0)</code>" as HTML } ?? "—"
            let aliases = version.aliases.map { alias -> HTML in "<span class=\"chip alias\">@\(alias)</span>" }
            let tags = version.tags.map { tag -> HTML in "<span class=\"chip\">\(tag.key)=\(tag.value)</span>" }
            let files = UIURL(
                "/model-versions/get-artifact",
                [("name", name), ("version", String(version.version)), ("path", "MLmodel")])
            return """
                <tr data-version="\(String(version.version))">
                <td class="num">v\(String(version.version))</td>
                <td><span class="status stage-\(version.currentStage.rawValue.lowercased())">\(version.currentStage.rawValue)</span></td>
                <td class="tags">\(aliases)</td>
                <td>\(run)</td>
                <td>\(logged)</td>
                <td><code>\(version.source)</code> <a class="hint" href="\(files)">MLmodel</a></td>
                <td class="tags">\(tags)</td>
                <td>\(UIFormat.time(version.creationTime))</td>
                <td class="description">\(version.description)</td>
                </tr>
                """
        }
        let aliases = model.aliases.map { alias -> HTML in
            "<span class=\"chip alias\">@\(alias.alias) → v\(String(alias.version))</span>"
        }
        let tags = model.tags.map { tag -> HTML in "<span class=\"chip\">\(tag.key)=\(tag.value)</span>" }
        let facts: [(String, HTML)] = [
            ("Created", UIFormat.time(model.creationTime)),
            ("Last updated", UIFormat.time(model.lastUpdatedTime)),
            ("Versions", "\(String(versions.count))"),
            ("Aliases", aliases.isEmpty ? "—" : aliases.joined(separator: " ")),
            ("Tags", tags.isEmpty ? "—" : tags.joined(separator: " ")),
            (
                "Load with",
                "<code>mlflow.pyfunc.load_model(\"models:/\(name)\(model.aliases.first.map { "@" + $0.alias } ?? "/latest")\")</code>"
            ),
        ]
        let overview = facts.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" as HTML }.joined()
        let body: HTML = """
            <h1>\(model.name)</h1>
            \(model.description.map { "<p class=\"description\">\($0)</p>" as HTML })
            <dl class="facts">\(overview)</dl>
            <section><h2>Versions <span class="count">\(String(versions.count))</span></h2>
            <table class="grid versions">
            <thead><tr><th class="num">Version</th><th>Stage</th><th>Aliases</th><th>Source run</th><th>Logged model</th><th>Source</th><th>Tags</th><th>Registered</th><th>Description</th></tr></thead>
            <tbody>\(versions.isEmpty ? "<tr class=\"empty\"><td colspan=\"9\">No versions yet.</td></tr>" : rows.joined())</tbody>
            </table></section>
            """
        return Layout.page(
            title: model.name, crumbs: [("Models", UIURL("/models")), (model.name, nil)], notes: query.notes,
            body: body)
    }

    /// The versions registered from a run's models, for its page: "churn-clf v2", linked.
    static func versionLinks(_ versions: [ModelVersion]) -> HTML {
        versions.map { version -> HTML in
            "<a class=\"chip\" href=\"\(UIURL("/models/\(version.name)"))\">\(version.name) v\(String(version.version))</a>"
        }.joined(separator: " ")
    }
}
