import Foundation
import LogbookCore
import LogbookOffline
import LogbookTesting
import Testing

@testable import Logbook

/// How offline logging is switched on: `LOGBOOK_OFFLINE` for a client made from a tracking URI,
/// `Options.offline` for any client; only tracking servers are wrapped.
@Suite("Offline logging settings")
struct OfflineSettingTests {
    let journal = NSTemporaryDirectory() + "logbook-settings-" + UUID().uuidString

    @Test func theEnvironmentTurnsItOnForATrackingServer() throws {
        let client = try LogbookClient(
            trackingURI: "http://127.0.0.1:9",
            environment: [
                "LOGBOOK_OFFLINE": "1", "LOGBOOK_JOURNAL_DIR": journal, "LOGBOOK_OFFLINE_RETRY_INTERVAL": "0.5",
            ])
        let store = try #require(client.store as? OfflineStore)
        #expect(store.options.journalDirectory == journal)
        #expect(store.options.retryInterval == .milliseconds(500))
        #expect(store.trackingURI == "http://127.0.0.1:9")
    }

    @Test func offByDefaultAndForLocalStores() throws {
        #expect(!(try LogbookClient(trackingURI: "http://127.0.0.1:9", environment: [:]).store is OfflineStore))
        let file = NSTemporaryDirectory() + "logbook-settings-" + UUID().uuidString + ".db"
        let local = try LogbookClient(trackingURI: file, environment: ["LOGBOOK_OFFLINE": "true"])
        #expect(!(local.store is OfflineStore), "a local file has no server to lose")
        var options = LogbookClient.Options()
        options.offline = OfflineOptions(journalDirectory: journal)
        #expect(
            try LogbookClient(trackingURI: "http://127.0.0.1:9", options: options, environment: [:]).store
                is OfflineStore)
    }

    @Test func badSettingsAreClearErrors() throws {
        let flag = #expect(throws: LogbookError.self) {
            try LogbookClient(trackingURI: "http://127.0.0.1:9", environment: ["LOGBOOK_OFFLINE": "maybe"])
        }
        #expect(flag?.code == .invalidParameterValue)
        #expect(flag?.message.contains("LOGBOOK_OFFLINE") == true)
        let interval = #expect(throws: LogbookError.self) {
            try LogbookClient(
                trackingURI: "http://127.0.0.1:9",
                environment: ["LOGBOOK_OFFLINE": "1", "LOGBOOK_OFFLINE_RETRY_INTERVAL": "-3"])
        }
        #expect(interval?.message.contains("LOGBOOK_OFFLINE_RETRY_INTERVAL") == true)
    }

    #if !os(macOS)  // ~/Library/Caches there
        @Test func theDefaultJournalIsInTheUsersCacheDirectory() {
            #expect(
                OfflineOptions.defaultJournalDirectory(environment: ["HOME": "/home/ada"])
                    == "/home/ada/.cache/logbook/journal")
            #expect(
                OfflineOptions.defaultJournalDirectory(environment: ["HOME": "/home/ada", "XDG_CACHE_HOME": "/cache"])
                    == "/cache/logbook/journal")
            #expect(
                OfflineOptions.defaultJournalDirectory(environment: ["HOME": "/home/ada", "LOGBOOK_JOURNAL_DIR": "/j"])
                    == "/j")
        }
    #endif
}
