import Foundation
import LogbookCore

/// Sends the journals that programs left behind (they ended, or were killed, before their
/// tracking server came back): what `logbook sync` does.
public enum JournalSync {
    /// What became of one journal.
    public struct Outcome: Sendable {
        /// The journal file.
        public var path: String
        /// Where its writes were sent.
        public var trackingURI: String
        /// What was sent (also when it stopped part way).
        public var report: ReplayReport
        /// Set when the journal was left alone: a running program holds it and sends it itself.
        public var inUse: Bool
        /// Set when the server could not be reached (or the journal could not be read): what
        /// was not sent waits in the journal for the next sync.
        public var error: LogbookError?
        /// Writes and points still waiting.
        public var waiting: (entries: Int, points: Int)
    }

    /// Sends every journal in `directory`, oldest first, to the store `open` returns for its
    /// tracking URI (or for `trackingURI` when given: a server that moved). A journal left empty
    /// is deleted.
    public static func run(
        directory: String, trackingURI: String? = nil, open: (String) throws -> any TrackingStore
    ) async -> [Outcome] {
        var outcomes: [Outcome] = []
        for path in Journal.files(in: directory) {
            var outcome = Outcome(
                path: path, trackingURI: trackingURI ?? "", report: ReplayReport(), inUse: false, error: nil,
                waiting: (0, 0))
            do {
                guard let journal = try Journal.openUnlocked(path) else {
                    outcome.inUse = true
                    outcomes.append(outcome)
                    continue
                }
                outcome.trackingURI = trackingURI ?? journal.trackingURI
                let replayer = Replayer(journal: journal, remote: try open(outcome.trackingURI))
                do {
                    try await replayer.replay(into: &outcome.report)
                } catch {
                    outcome.error =
                        error as? LogbookError ?? LogbookError(.temporarilyUnavailable, "\(error)")
                }
                outcome.waiting = try journal.backlog()
                if outcome.waiting.entries == 0 { journal.discard() }
            } catch {
                outcome.error = error as? LogbookError ?? LogbookError(.internalError, "\(error)")
            }
            outcomes.append(outcome)
        }
        return outcomes
    }
}
