import ArgumentParser
import Foundation
import LogbookCore
import LogbookSQLite

/// Options every command that reads or writes runs shares.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Tracking URI: sqlite:///relative.db, sqlite:////absolute.db, a file path, postgresql://user:password@host:port/database, or http(s)://host:port of a tracking server."
    )
    var trackingURI: String?

    /// The tracking URI the options (or the environment) name.
    func uri(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TrackingURI {
        try trackingURI.map { try TrackingURI($0) } ?? TrackingURI.fromEnvironment(environment)
    }

    /// Opens the store the options (or the environment) name.
    func openStore() throws -> any TrackingStore {
        let environment = ProcessInfo.processInfo.environment
        return try uri(environment: environment).openStore(environment: environment)
    }
}

/// `--json` for commands that can print MLflow's REST JSON instead of a table.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print MLflow's REST JSON instead of a table.")
    var json = false
}
