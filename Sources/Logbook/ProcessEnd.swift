import Dispatch
import Foundation
import LogbookCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What happens to open runs when the process ends.
///
/// - On SIGINT or SIGTERM every open run is flushed and ended KILLED, innermost first; then the
///   signal's default action runs, so the process ends as the signal demands (status 130 or 143
///   in a shell).
/// - At normal exit, runs still open (typically from `startRun` without `endRun`) are flushed and
///   ended FINISHED.
///
/// Installed by the first ``LogbookClient`` whose ``LogbookClient/Options/handlesProcessEnd`` is
/// on. The registry of open runs is process-wide, behind a `Mutex`.
enum ProcessEnd {
    private static let runs = Mutex<[ActiveRun]>([])
    private static let installed = Atomic<Bool>(false)
    /// Kept alive for the life of the process.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func register(_ run: ActiveRun) {
        runs.withLock { $0.append(run) }
    }

    static func unregister(_ run: ActiveRun) {
        runs.withLock { runs in runs.removeAll { $0 === run } }
    }

    /// The runs open in this process, oldest first.
    static func openRuns() -> [ActiveRun] {
        runs.withLock { $0 }
    }

    /// Ends every open run, newest first (children before their parents).
    static func endAll(status: RunStatus) async {
        for run in openRuns().sorted(by: { $0.sequence > $1.sequence }) {
            try? await run.end(status: status)
        }
    }

    /// Installs the signal handlers and the exit hook, once per process.
    static func install() {
        guard installed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            return
        }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                Task {
                    await endAll(status: .killed)
                    dieBySignal(signalNumber)
                }
            }
            source.resume()
            sources.append(source)
        }
        atexit {
            ProcessEnd.endAllBlocking(status: .finished)
        }
    }

    /// Ends the process by `signalNumber` with its default action. The signal is unblocked on the
    /// calling thread first: Dispatch's and Swift's worker threads block signals, and the main
    /// thread of an async program may have exited already.
    private static func dieBySignal(_ signalNumber: Int32) -> Never {
        signal(signalNumber, SIG_DFL)
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, signalNumber)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        raise(signalNumber)
        // Not reached; exit with the shell's convention should the signal not end the process.
        exit(128 + signalNumber)
    }

    /// Ends open runs from a synchronous context (the exit hook), waiting at most `timeout`.
    static func endAllBlocking(status: RunStatus, timeout: DispatchTimeInterval = .seconds(30)) {
        guard !openRuns().isEmpty else { return }
        let done = DispatchSemaphore(value: 0)
        Task {
            await endAll(status: status)
            done.signal()
        }
        _ = done.wait(timeout: .now() + timeout)
    }
}
