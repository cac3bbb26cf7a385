import Foundation

/// Keeping a client's writes in a local journal while its tracking server cannot be reached, and
/// sending them once it answers again (see docs/offline.md).
///
/// Off by default. Turn it on per client (``init(enabled:journalDirectory:retryInterval:)``) or
/// with `LOGBOOK_OFFLINE=1` (``fromEnvironment(_:)``).
public struct OfflineOptions: Sendable, Hashable {
    /// Whether writes that cannot reach the server are journaled instead of failing.
    public var enabled: Bool
    /// Where journals are kept, one file per process that went offline; `logbook sync` reads the
    /// same directory.
    public var journalDirectory: String
    /// How often an offline client tries the server again.
    public var retryInterval: Duration

    public init(
        enabled: Bool = true, journalDirectory: String? = nil, retryInterval: Duration = .seconds(5),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.enabled = enabled
        self.journalDirectory = journalDirectory ?? Self.defaultJournalDirectory(environment: environment)
        self.retryInterval = retryInterval
    }

    /// The settings the environment gives: `LOGBOOK_OFFLINE` (true/false/1/0, default off),
    /// `LOGBOOK_JOURNAL_DIR`, and `LOGBOOK_OFFLINE_RETRY_INTERVAL` (seconds, default 5).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> OfflineOptions
    {
        func value(_ name: String) -> String? { environment["LOGBOOK_" + name].flatMap { $0.isEmpty ? nil : $0 } }
        var options = OfflineOptions(
            enabled: try value("OFFLINE").map { try EnvironmentFlag.parse($0, name: "LOGBOOK_OFFLINE") } ?? false,
            journalDirectory: value("JOURNAL_DIR"), environment: environment)
        if let text = value("OFFLINE_RETRY_INTERVAL") {
            guard let seconds = Double(text), seconds > 0 else {
                throw LogbookError(
                    .invalidParameterValue, "LOGBOOK_OFFLINE_RETRY_INTERVAL must be a positive number of seconds.")
            }
            options.retryInterval = .milliseconds(Int64(seconds * 1000))
        }
        return options
    }

    /// `$LOGBOOK_JOURNAL_DIR`, else the user's cache directory: `$XDG_CACHE_HOME/logbook/journal`
    /// or `~/.cache/logbook/journal` (`~/Library/Caches/logbook/journal` on macOS).
    public static func defaultJournalDirectory(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let directory = environment["LOGBOOK_JOURNAL_DIR"], !directory.isEmpty { return directory }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        #if os(macOS)
            return home + "/Library/Caches/logbook/journal"
        #else
            let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.cache"
            return cache + "/logbook/journal"
        #endif
    }
}
