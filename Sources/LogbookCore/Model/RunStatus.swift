/// Where a run is in its lifecycle.
///
/// The cases and their names are MLflow's (`RunStatus` in its protocol). A run is created
/// ``running``; it ends ``finished``, ``failed`` or ``killed``. Like MLflow, a store enforces no
/// transition rules: resuming a run sets it back to ``running``.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// MLflow's protocol number for the status (RUNNING = 1 … KILLED = 5).
    public var protoNumber: Int {
        switch self {
        case .running: 1
        case .scheduled: 2
        case .finished: 3
        case .failed: 4
        case .killed: 5
        }
    }

    /// Creates a status from its protocol number.
    public init?(protoNumber: Int) {
        guard let status = Self.allCases.first(where: { $0.protoNumber == protoNumber }) else { return nil }
        self = status
    }

    /// Whether the run has ended (finished, failed or killed).
    public var isTerminated: Bool {
        switch self {
        case .finished, .failed, .killed: true
        case .running, .scheduled: false
        }
    }

    public var description: String { rawValue }
}
