import ArgumentParser
import Foundation
import Logbook
import LogbookCore

/// `logbook sync [--journal DIR] [--tracking-uri URI]`
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send what programs logged offline and left in their journals to the tracking server.",
        discussion: """
            A program with offline logging on (LOGBOOK_OFFLINE=1) keeps the writes its tracking server cannot take \
            in a journal and sends them itself once the server answers. A program that ended (or was killed) \
            before that leaves its journal behind: this sends it, in order, creating the runs it made offline, \
            and deletes it. Sending twice adds nothing twice. Journals of programs still running are left to them. \
            Exits 1 when a server still cannot be reached (what was sent stays sent; run it again later).
            """
    )

    @Option(help: "The journal directory (default: $LOGBOOK_JOURNAL_DIR, else ~/.cache/logbook/journal).")
    var journal: String?

    @Option(help: "Send to this tracking server instead of the one each journal names (a server that moved).")
    var trackingURI: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let directory = journal ?? OfflineOptions.defaultJournalDirectory(environment: environment)
        let outcomes = await JournalSync.run(directory: directory, trackingURI: trackingURI) { uri in
            try TrackingURI(uri).openStore(environment: environment)
        }
        guard !outcomes.isEmpty else {
            print("Nothing to send: no journals in \(directory).")
            return
        }
        var failed = false
        for outcome in outcomes {
            let name = (outcome.path as NSString).lastPathComponent
            if outcome.inUse {
                print("\(name): left alone, a running program holds it and sends it itself.")
                continue
            }
            let report = outcome.report
            print(
                "\(name) → \(outcome.trackingURI): \(report.runsCreated) run(s) created, \(report.points) point(s), \(report.params) param(s), \(report.tags) tag(s), \(report.otherWrites) other write(s) sent."
            )
            for refusal in report.refused {
                print("  refused (kept in \(directory)/refused.log): \(refusal)")
            }
            if let error = outcome.error {
                failed = true
                FileHandle.standardError.write(
                    Data(
                        "error: \(name): \(error.message) (\(error.code)); \(outcome.waiting.entries) write(s), \(outcome.waiting.points) point(s) still wait. Run `logbook sync` again once the server answers.\n"
                            .utf8))
            }
        }
        if failed { throw ExitCode.failure }
    }
}
