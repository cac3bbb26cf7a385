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
/// - On SIGINT or SIGTERM every open run is flushed and ended KILLED, innermost first. Then the
///   signal is handed on to whoever else wanted it:
///   - a handler the process had installed before Logbook gets the signal (restored and raised);
///   - when another Dispatch signal source was listening before Logbook's — swift-service-lifecycle's,
///     for its graceful shutdown — the process is left to it;
///   - otherwise the signal's default action runs, so the process ends as the signal demands
///     (status 130 or 143 in a shell).
/// - A signal the process ignores when the first client is made (a background job's SIGINT) is
///   left ignored.
/// - At normal exit, runs still open (typically from `startRun` without `endRun`) are flushed and
///   ended FINISHED — KILLED when the exit follows a signal that someone else turned into a
///   graceful shutdown.
///
/// Why the signals are also blocked on the main thread: Logbook and others (ServiceLifecycle)
/// listen through Dispatch signal sources and set the disposition to `SIG_IGN`. On Linux a signal
/// is discarded at once when it is ignored and not blocked by the thread it is sent to (the
/// main thread), so whoever sets `SIG_IGN` after another's source was registered would silence
/// both. Blocked, the signal stays pending and every source receives it.
///
/// Installed when the first run starts in a client whose ``LogbookClient/Options/handlesProcessEnd``
/// is on. Another Dispatch source set up *after* that cannot be told from Logbook's own (Dispatch
/// reinstalls the same handler), so its owner should turn the option off and call
/// ``LogbookClient/shutdown(status:)`` itself. The registry of open runs is process-wide, behind a lock (`Locked`).
enum ProcessEnd {
    private static let runs = Locked<[ActiveRun]>([])
    private static let installed = Atomic<Bool>(false)
    /// Per signal: the disposition before Logbook's, and the one Dispatch set for Logbook's source.
    private static let dispositions = Locked<[Int32: Dispositions]>([:])
    /// The signal being handled (0: none), and the task ending the runs for it.
    private static let received = Atomic<Int32>(0)
    private static let signalTask = Locked<Task<Void, Never>?>(nil)
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
        blockOnMainThread([SIGINT, SIGTERM])
        for signalNumber in [SIGINT, SIGTERM] {
            let prior = Disposition.current(signalNumber)
            // A signal the process ignores (a background job's SIGINT) stays ignored.
            guard !prior.isIgnored else { continue }
            dispositions.withLock { $0[signalNumber] = Dispositions(prior: prior) }
            // Only a signal nobody handled is set to be ignored (so that it does not end the
            // process before the source is registered): setting it over another's handler
            // would silence theirs.
            if prior.isDefault { signal(signalNumber, SIG_IGN) }
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setRegistrationHandler {
                let registered = Disposition.current(signalNumber)
                dispositions.withLock { $0[signalNumber]?.registered = registered }
            }
            source.setEventHandler {
                guard
                    received.compareExchange(expected: 0, desired: signalNumber, ordering: .acquiringAndReleasing)
                        .exchanged
                else { return }
                let task = Task {
                    await endAll(status: .killed)
                    handOn(signalNumber)
                }
                signalTask.withLock { $0 = task }
            }
            source.resume()
            sources.append(source)
        }
        atexit {
            ProcessEnd.endAllBlocking(status: ProcessEnd.received.load(ordering: .acquiring) == 0 ? .finished : .killed)
        }
    }

    /// After the runs have ended: gives `signalNumber` to whoever else wanted it, or ends the process.
    private static func handOn(_ signalNumber: Int32) {
        guard let recorded = dispositions.withLock({ $0[signalNumber] }) else { return }
        let prior = recorded.prior
        if prior.isHandler, prior != recorded.registered {
            // The process's own handler, which Dispatch replaced with its own: restored, it gets the signal.
            var action = recorded.prior.action
            sigaction(signalNumber, &action, nil)
            raiseOnThisThread(signalNumber)
        } else if prior.isDefault, recorded.registered.map({ Disposition.current(signalNumber) == $0 }) ?? true {
            // Nobody else took the signal: its default action ends the process.
            signal(signalNumber, SIG_DFL)
            raiseOnThisThread(signalNumber)
            // Not reached; exit with the shell's convention should the signal not end the process.
            exit(128 + signalNumber)
        }
        // Otherwise another Dispatch source was listening first (ServiceLifecycle): theirs to act
        // on. Runs still open at exit are ended KILLED.
    }

    /// Raises `signalNumber` on the calling thread, unblocked first: Dispatch's and Swift's worker
    /// threads block signals.
    private static func raiseOnThisThread(_ signalNumber: Int32) {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, signalNumber)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        raise(signalNumber)
    }

    /// Blocks `signalNumbers` on the main thread: now when called there, else when the main queue
    /// next runs (the main actor of an async program); a program that never drains the main queue
    /// keeps its mask.
    private static func blockOnMainThread(_ signalNumbers: [Int32]) {
        let block: @Sendable () -> Void = {
            var signals = sigset_t()
            sigemptyset(&signals)
            for signalNumber in signalNumbers { sigaddset(&signals, signalNumber) }
            pthread_sigmask(SIG_BLOCK, &signals, nil)
        }
        if Thread.isMainThread { block() } else { DispatchQueue.main.async(execute: block) }
    }

    /// Ends open runs from a synchronous context (the exit hook), waiting at most `timeout`. Runs a
    /// signal is ending are waited for, not ended again.
    static func endAllBlocking(status: RunStatus, timeout: DispatchTimeInterval = .seconds(30)) {
        let ending = signalTask.withLock { $0 }
        guard ending != nil || !openRuns().isEmpty else { return }
        let done = DispatchSemaphore(value: 0)
        Task {
            await ending?.value
            await endAll(status: status)
            done.signal()
        }
        _ = done.wait(timeout: .now() + timeout)
    }
}

/// A signal's disposition as `sigaction` reports it.
///
/// `@unchecked Sendable`: a plain C struct copied by value; its pointers name functions, which
/// live as long as the process.
struct Disposition: @unchecked Sendable, Equatable {
    var action: sigaction

    static func current(_ signalNumber: Int32) -> Disposition {
        var action = sigaction()
        sigaction(signalNumber, nil, &action)
        return Disposition(action: action)
    }

    /// The handler's address: 0 for `SIG_DFL`, 1 for `SIG_IGN`, else a function.
    var handler: Int {
        #if canImport(Glibc)
            unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
        #else
            unsafeBitCast(action.__sigaction_u.__sa_handler, to: Int.self)
        #endif
    }

    var isDefault: Bool { handler == 0 }
    var isIgnored: Bool { handler == 1 }
    var isHandler: Bool { !isDefault && !isIgnored }

    static func == (lhs: Disposition, rhs: Disposition) -> Bool { lhs.handler == rhs.handler }
}

/// What Logbook found for one signal.
struct Dispositions: Sendable {
    /// Before Logbook installed its source.
    var prior: Disposition
    /// Once Dispatch registered Logbook's source (on Linux: Dispatch's own handler).
    var registered: Disposition?
}
