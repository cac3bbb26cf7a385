import ArgumentParser
import Foundation
import LogbookCore
import LogbookSQLite
import LogbookServer

/// `logbook ui`: the web UI over the chosen store, on a free loopback port.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Look at your runs in the browser: serves the web UI on a free loopback port and prints its URL.",
        discussion: """
            The same server as `logbook server` (its REST API included), over the store that --tracking-uri or the \
            environment names: a SQLite file, or a tracking server's runs read over REST. Ctrl-C stops it.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Port to listen on (127.0.0.1 only); 0 picks a free one.")
    var port = 0

    @Option(help: "Directory of artifacts logged through a server (mlflow-artifacts:/ URIs).")
    var artifactsDestination = "logbook-artifacts"

    func run() async throws {
        try await LogbookCommand.reportingErrors {
            let store = try store.openStore()
            let destination = URL(fileURLWithPath: artifactsDestination).standardizedFileURL.path
            let server = TrackingServer(
                store: store,
                configuration: ServerConfiguration(host: "127.0.0.1", port: port, artifactsDestination: destination))
            try await server.run { url in
                FileHandle.standardOutput.write(Data("Logbook UI at \(url)/ (Ctrl-C stops it)\n".utf8))
            }
            try (store as? SQLiteStore)?.close()
        }
    }
}
