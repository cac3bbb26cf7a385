import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LogbookCore
import LogbookServer
import LogbookWire
import Testing

/// The web UI's pages, fragments and chart endpoint, in-process (the browser tests drive them in Chromium).
@Suite("Web UI")
struct WebUITests {
    /// An experiment with a parent, two children and a grandchild, a hostile run name, and metrics.
    struct Sweep {
        var experimentID: String
        var parent: String
        var children: [String]
        var grandchild: String
        var hostile: String
    }

    static func sweep(_ store: any TrackingStore) async throws -> Sweep {
        let experiment = try await store.createExperiment(name: "ui-sweep")
        let parent = try await store.createRun(
            RunCreation(experimentID: experiment, runName: "sweep", startTime: 1_000))
        var children: [String] = []
        for (index, lr) in ["0.1", "0.01"].enumerated() {
            let child = try await store.createRun(
                RunCreation(
                    experimentID: experiment, runName: "trial-\(index)", startTime: 2_000 + Int64(index),
                    tags: [RunTag(key: SystemTag.parentRunID, value: parent.id)]))
            try await store.logBatch(
                runID: child.id,
                RunBatch(
                    metrics: (0..<20).map {
                        Metric(
                            key: "loss", value: 1 / Double($0 + 1 + index), timestamp: 3_000 + Int64($0),
                            step: Int64($0))
                    },
                    params: [Param(key: "lr", value: lr), Param(key: "epochs", value: "20")]))
            _ = try await store.updateRun(
                id: child.id, RunUpdate(status: index == 0 ? .finished : .failed, endTime: 9_000))
            children.append(child.id)
        }
        let grandchild = try await store.createRun(
            RunCreation(
                experimentID: experiment, runName: "fold-0", startTime: 4_000,
                tags: [RunTag(key: SystemTag.parentRunID, value: children[0])]))
        let hostile = try await store.createRun(
            RunCreation(experimentID: experiment, runName: "<img src=x onerror=alert(1)>", startTime: 5_000))
        try await store.logParam(runID: hostile.id, Param(key: "lr", value: "<script>alert(2)</script>"))
        return Sweep(
            experimentID: experiment, parent: parent.id, children: children, grandchild: grandchild.id,
            hostile: hostile.id)
    }

    static func page(_ client: APIClient, _ uri: String) async throws -> TestResponse {
        try await client.client.execute(uri: uri, method: .get, headers: [.accept: "text/html"])
    }

    @Test func experimentsPageListsRunCountsAndReportsABadFilter() async throws {
        let fixture = try ServerFixture()
        _ = try await Self.sweep(fixture.store)
        try await fixture.test { client in
            let page = try await Self.page(client, "/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(page.text.contains("ui-sweep"))
            #expect(page.text.contains("<td class=\"num\">5</td>"))
            #expect(page.text.contains("<footer class=\"site\">Logbook \(LogbookVersion.current) "))
            let bad = try await Self.page(client, "/?filter=name%20%3D%3D%3D%20x")
            #expect(bad.status == .ok)
            #expect(bad.text.contains("class=\"filter-error\""))
            let narrowed = try await Self.page(client, "/?filter=name%20LIKE%20%27Def%25%27")
            #expect(narrowed.text.contains("Default") && !narrowed.text.contains("ui-sweep"))
        }
    }

    @Test func runsPageShowsTopLevelRunsWithChildCountsAndEscapesValues() async throws {
        let fixture = try ServerFixture()
        let sweep = try await Self.sweep(fixture.store)
        try await fixture.test { client in
            let page = try await Self.page(client, "/experiments/\(sweep.experimentID)?params=lr")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("data-run-id=\"\(sweep.parent)\""))
            #expect(!html.contains("data-run-id=\"\(sweep.children[0])\""), "children wait under their parent")
            #expect(html.contains("aria-label=\"Show 2 child runs of sweep\""))
            #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!html.contains("<img src=x"))
            #expect(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"))
            #expect(!html.contains("<script>alert"))

            let rows = try await Self.page(
                client, "/fragments/children?parent=\(sweep.parent)&depth=1&params=lr&metrics=loss")
            #expect(rows.status == .ok)
            #expect(rows.text.contains("data-run-id=\"\(sweep.children[0])\" data-depth=\"1\""))
            #expect(rows.text.contains("aria-label=\"Show 1 child runs of trial-0\""))
            #expect(rows.text.contains("class=\"status failed\""))
            let deeper = try await Self.page(client, "/fragments/children?parent=\(sweep.children[0])&depth=2")
            #expect(deeper.text.contains("data-run-id=\"\(sweep.grandchild)\" data-depth=\"2\""))
        }
    }

    @Test func runsPageFiltersSortsAndFallsBackOnBadInput() async throws {
        let fixture = try ServerFixture()
        let sweep = try await Self.sweep(fixture.store)
        try await fixture.test { client in
            let base = "/experiments/\(sweep.experimentID)"
            let filtered = try await Self.page(
                client, base + "?filter=params.lr%20IN%20(%270.01%27)%20OR%20attributes.run_name%20%3D%20%27fold-0%27")
            #expect(filtered.text.contains("data-run-id=\"\(sweep.children[1])\""))
            #expect(filtered.text.contains("data-run-id=\"\(sweep.grandchild)\""))
            #expect(!filtered.text.contains("data-run-id=\"\(sweep.children[0])\""))
            #expect(filtered.text.contains("↑ parent"))
            let bad = try await Self.page(client, base + "?filter=metrics.loss%20%3E%20%27x%27")
            #expect(bad.text.contains("id=\"filter-error\""))
            let sorted = try await Self.page(
                client, base + "?filter=params.lr%20LIKE%20%27%25%27&order=params.%60lr%60%20ASC")
            let first = try #require(sorted.text.range(of: "data-run-id=\"\(sweep.children[1])\""))
            let second = try #require(sorted.text.range(of: "data-run-id=\"\(sweep.children[0])\""))
            #expect(first.lowerBound < second.lowerBound, "0.01 sorts before 0.1")
            #expect(sorted.text.contains("aria-sort=\"ascending\""))
            let fallback = try await Self.page(client, base + "?order=nonsense%20%3D%3D&size=7&view=sideways")
            #expect(fallback.status == .ok)
            #expect(fallback.text.contains("Ignored order=nonsense"))
            #expect(fallback.text.contains("Ignored size=7"))
            #expect(fallback.text.contains("Ignored view=sideways"))
        }
    }

    @Test func runPageHasChartsFamilyAndFriendly404s() async throws {
        let fixture = try ServerFixture()
        let sweep = try await Self.sweep(fixture.store)
        try await fixture.store.logMetric(
            runID: sweep.children[0], Metric(key: "system/cpu_utilization_percentage", value: 12, timestamp: 1, step: 0)
        )
        try await fixture.test { client in
            let page = try await Self.page(client, "/runs/\(sweep.children[0])")
            #expect(page.status == .ok)
            #expect(page.text.contains("<figure class=\"chart\" data-key=\"loss\">"))
            #expect(page.text.contains("<details class=\"system\" open><summary><h2>System metrics</h2>"))
            #expect(page.text.contains("href=\"/runs/\(sweep.parent)\""))
            #expect(page.text.contains("data-run-id=\"\(sweep.grandchild)\""))
            let missing = try await Self.page(client, "/runs/0123456789abcdef0123456789abcdef")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(missing.text.contains("Not found"))
            let unknownExperiment = try await Self.page(client, "/experiments/98765")
            #expect(unknownExperiment.status == .notFound)
            #expect(unknownExperiment.text.contains("All experiments"))
        }
    }

    @Test func comparePageMarksDifferingParamsAndCanHideEqualOnes() async throws {
        let fixture = try ServerFixture()
        let sweep = try await Self.sweep(fixture.store)
        try await fixture.test { client in
            let runs = sweep.children.map { "run=\($0)" }.joined(separator: "&") + "&run=\(sweep.hostile)"
            let page = try await Self.page(client, "/compare?\(runs)")
            #expect(page.status == .ok)
            #expect(page.text.contains("<tr class=\"differs\"><th>lr</th>"))
            #expect(page.text.contains("<tr><th>epochs</th>") == false, "epochs is missing on one run, so it differs")
            let onlyDiff = try await Self.page(
                client, "/compare?run=\(sweep.children[0])&run=\(sweep.children[1])&diff=1")
            #expect(onlyDiff.text.contains("1 params with equal values hidden"))
            #expect(!onlyDiff.text.contains("<th>epochs</th>"))
            let one = try await Self.page(client, "/compare?run=\(sweep.children[0])")
            #expect(one.text.contains("Pick at least two runs"))
        }
    }

    @Test func seriesEndpointThinsKeepsSpikesAndSendsOnlyNewPoints() async throws {
        let fixture = try ServerFixture()
        let run = try await fixture.store.createRun(RunCreation())
        for chunk in stride(from: 0, to: 100_000, by: 1000) {
            let metrics = (chunk..<chunk + 1000).map {
                Metric(key: "loss", value: $0 == 77_777 ? 1e9 : 1, timestamp: Int64($0), step: Int64($0))
            }
            try await fixture.store.logBatch(runID: run.id, RunBatch(metrics: metrics))
        }
        try await fixture.test { client in
            let uri = "/ajax-api/2.0/logbook/metrics/series?run_id=\(run.id)&metric_key=loss&max_points=500"
            let answer = try await client.client.execute(uri: uri, method: .get)
            #expect(answer.status == .ok)
            let series = try answer.json["series"][0]
            #expect(series["total_points"].int == 100_000)
            #expect(series["thinned"] == .bool(true))
            #expect(series["points"].array.count <= 500)
            #expect(series["points"].array.contains { $0[0].int == 77_777 && $0[2].double == 1e9 })
            let newer = try await client.client.execute(uri: uri + "&after_step=99997", method: .get).json
            #expect(newer["series"][0]["points"].array.map { $0[0].int } == [99_998, 99_999])
            try await client.client.execute(uri: uri + "&x_axis=sideways", method: .get)
                .expectError(.badRequest, .invalidParameterValue, containing: "x_axis")
            try await client.client.execute(
                uri: "/ajax-api/2.0/logbook/metrics/series?run_id=0123456789abcdef0123456789abcdef&metric_key=loss",
                method: .get
            ).expectError(.notFound, .resourceDoesNotExist)
        }
    }

    @Test func artifactsAreServedSafelyAndPathsChecked() async throws {
        let fixture = try ServerFixture()
        let run = try await fixture.store.createRun(RunCreation())
        let directory = fixture.artifacts + "/0/\(run.id)/artifacts"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("<script>alert(3)</script>".utf8).write(to: URL(fileURLWithPath: directory + "/page.html"))
        try await fixture.test { client in
            let file = try await client.client.execute(
                uri: "/get-artifact?run_uuid=\(run.id)&path=page.html", method: .get)
            #expect(file.status == .ok)
            #expect(file.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(file.headers[.contentSecurityPolicy]?.hasPrefix("sandbox") == true)
            #expect(file.text == "<script>alert(3)</script>")
            let download = try await client.client.execute(
                uri: "/get-artifact?run_uuid=\(run.id)&path=page.html&download=1", method: .get)
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            try await client.client.execute(uri: "/get-artifact?run_uuid=\(run.id)&path=../../x", method: .get)
                .expectError(.badRequest, .invalidParameterValue, containing: "Invalid path")
            try await client.client.execute(
                uri: "/get-artifact?run_uuid=0123456789abcdef0123456789abcdef&path=a.txt", method: .get
            ).expectError(.notFound, .resourceDoesNotExist)
        }
    }

    /// MLflow 3.17.2's `/ajax-api/2.0/mlflow/upload-artifact` (its handler's checks and messages):
    /// the file lands with the run's artifacts and `get-artifact` reads it back.
    @Test func uploadArtifactStoresTheBodyAsMLflowDoes() async throws {
        let fixture = try ServerFixture()
        let run = try await fixture.store.createRun(RunCreation())
        try await fixture.test { client in
            func upload(_ query: String, _ body: String) async throws -> TestResponse {
                try await client.client.execute(
                    uri: "/ajax-api/2.0/mlflow/upload-artifact?\(query)", method: .post,
                    headers: [.contentType: "application/octet-stream"], body: ByteBuffer(string: body))
            }
            #expect(try await upload("run_uuid=\(run.id)&path=notes/today.txt", "first").status == .ok)
            #expect(try await upload("run_uuid=\(run.id)&path=notes/today.txt", "second").status == .ok)
            let stored = fixture.artifacts + "/0/\(run.id)/artifacts/notes/today.txt"
            #expect(try String(contentsOfFile: stored, encoding: .utf8) == "second", "a new upload replaces the file")
            let read = try await client.client.execute(
                uri: "/ajax-api/2.0/mlflow/get-artifact?run_uuid=\(run.id)&path=notes/today.txt", method: .get)
            #expect(read.text == "second")
            try await upload("path=a.txt", "x").expectError(
                .badRequest, .invalidParameterValue, containing: "Request must specify run_uuid.")
            try await upload("run_uuid=\(run.id)", "x").expectError(
                .badRequest, .invalidParameterValue, containing: "Request must specify path.")
            try await upload("run_uuid=\(run.id)&path=../../escape.txt", "x").expectError(
                .badRequest, .invalidParameterValue, containing: "Invalid path")
            try await upload("run_uuid=\(run.id)&path=empty.txt", "").expectError(
                .badRequest, .invalidParameterValue, containing: "Request must specify data.")
            try await upload("run_uuid=\(run.id)&path=big.bin", String(repeating: "x", count: 10 * 1024 * 1024 + 1))
                .expectError(.badRequest, .invalidParameterValue, containing: "Max size is 10MB")
            try await upload("run_uuid=0123456789abcdef0123456789abcdef&path=a.txt", "x")
                .expectError(.notFound, .resourceDoesNotExist)
            #expect(!FileManager.default.fileExists(atPath: fixture.artifacts + "/0/\(run.id)/artifacts/big.bin"))
            #expect(!FileManager.default.fileExists(atPath: fixture.artifacts + "/escape.txt"))
        }
    }

    /// Every file of `Sources/LogbookServer/UI/Assets`, compiled in by the EmbedAssets plugin, is
    /// served byte for byte, with validators.
    @Test func assetsAreServedWithValidatorsAndStaySmall() async throws {
        let fixture = try ServerFixture()
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/LogbookServer/UI/Assets")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
        #expect(Set(names).isSuperset(of: ["style.css", "app.js", "charts.js", "icon.svg"]))
        try await fixture.test { client in
            var total = 0
            for name in names {
                let asset = try await client.client.execute(uri: "/static/\(name)", method: .get)
                #expect(asset.status == .ok, "\(name)")
                let source = try Data(contentsOf: folder.appendingPathComponent(name))
                #expect(Data(asset.body.readableBytesView) == source, "\(name) differs from the source file")
                total += asset.body.readableBytes
                let etag = try #require(asset.headers[.eTag])
                let again = try await client.client.execute(
                    uri: "/static/\(name)", method: .get, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified)
            }
            #expect(total <= 150 * 1024, "UI assets are \(total) bytes")
            let unknown = try await client.client.execute(uri: "/static/nope.js", method: .get)
            #expect(unknown.status == .notFound)
        }
    }
}
