/// The one error type of Logbook: an MLflow error code and a message that says what to do.
///
/// Match on the code the way GRDB users match on a result code:
///
/// ```swift
/// do {
///     try await store.logParam(runID: id, Param(key: "lr", value: "0.2"))
/// } catch let error as LogbookError where error.code == .invalidParameterValue {
///     print(error.message)
/// }
/// ```
public struct LogbookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The MLflow error code; it decides the HTTP status.
    public var code: ErrorCode
    /// What went wrong and, where possible, what to do about it.
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status this error is answered with on the wire.
    public var httpStatus: Int { code.httpStatus }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension LogbookError {
    static func invalid(_ message: String) -> LogbookError { LogbookError(.invalidParameterValue, message) }

    /// The error for a run id that no run has.
    public static func runNotFound(_ runID: String) -> LogbookError {
        LogbookError(.resourceDoesNotExist, "Run with id=\(runID) not found")
    }

    /// The error for an experiment id that no experiment has.
    public static func experimentNotFound(id: String) -> LogbookError {
        LogbookError(.resourceDoesNotExist, "No Experiment with id=\(id) exists")
    }

    /// The error for an experiment name that no experiment has.
    public static func experimentNotFound(name: String) -> LogbookError {
        LogbookError(.resourceDoesNotExist, "Could not find experiment with name '\(name)'")
    }

    /// The error for a write to a soft-deleted run.
    public static func runNotActive(_ runID: String) -> LogbookError {
        LogbookError(
            .invalidParameterValue,
            "The run \(runID) must be in the 'active' state. Current state is deleted. Restore it first (`logbook runs restore \(runID)`)."
        )
    }

    /// The error for a write to a soft-deleted experiment.
    public static func experimentNotActive(_ id: String) -> LogbookError {
        LogbookError(
            .invalidParameterValue,
            "The experiment \(id) must be in the 'active' state. Current state is deleted. Restore it first (`logbook experiments restore \(id)`)."
        )
    }
}

extension LogbookError {
    /// The error for a username no user has.
    public static func userNotFound(_ username: String) -> LogbookError {
        LogbookError(.resourceDoesNotExist, "User with username=\(username) not found")
    }

    /// The error for a username that is taken.
    public static func userExists(_ username: String) -> LogbookError {
        LogbookError(.resourceAlreadyExists, "User '\(username)' already exists")
    }

    /// The error for a token id the caller has no token with.
    public static func tokenNotFound(_ id: Int64) -> LogbookError {
        LogbookError(.resourceDoesNotExist, "You have no access token with id=\(id)")
    }

    /// The error for revoking a grant that was never made.
    public static func permissionNotFound(_ experimentID: String) -> LogbookError {
        LogbookError(
            .resourceDoesNotExist, "No permission on experiment_id=\(experimentID) is granted to this user")
    }
}
