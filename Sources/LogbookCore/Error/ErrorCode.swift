/// An MLflow error code, as sent on the wire in `{"error_code": …}`.
///
/// A struct rather than an enum so that codes can be added without breaking callers.
/// The HTTP status of every code is decided here, in ``httpStatus``, and nowhere else.
public struct ErrorCode: Sendable, Hashable, RawRepresentable, CustomStringConvertible, Codable {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let invalidParameterValue = ErrorCode(rawValue: "INVALID_PARAMETER_VALUE")
    public static let badRequest = ErrorCode(rawValue: "BAD_REQUEST")
    public static let resourceAlreadyExists = ErrorCode(rawValue: "RESOURCE_ALREADY_EXISTS")
    public static let resourceDoesNotExist = ErrorCode(rawValue: "RESOURCE_DOES_NOT_EXIST")
    public static let endpointNotFound = ErrorCode(rawValue: "ENDPOINT_NOT_FOUND")
    public static let invalidState = ErrorCode(rawValue: "INVALID_STATE")
    public static let internalError = ErrorCode(rawValue: "INTERNAL_ERROR")
    public static let temporarilyUnavailable = ErrorCode(rawValue: "TEMPORARILY_UNAVAILABLE")
    public static let requestLimitExceeded = ErrorCode(rawValue: "REQUEST_LIMIT_EXCEEDED")
    public static let resourceExhausted = ErrorCode(rawValue: "RESOURCE_EXHAUSTED")
    public static let permissionDenied = ErrorCode(rawValue: "PERMISSION_DENIED")
    public static let unauthenticated = ErrorCode(rawValue: "UNAUTHENTICATED")
    public static let notImplemented = ErrorCode(rawValue: "NOT_IMPLEMENTED")
    public static let aborted = ErrorCode(rawValue: "ABORTED")
    public static let cancelled = ErrorCode(rawValue: "CANCELLED")
    public static let deadlineExceeded = ErrorCode(rawValue: "DEADLINE_EXCEEDED")

    /// The HTTP status MLflow answers with for this code (reference §3.3); 500 for unknown codes.
    public var httpStatus: Int {
        switch rawValue {
        case "INVALID_PARAMETER_VALUE", "BAD_REQUEST", "RESOURCE_ALREADY_EXISTS": 400
        case "UNAUTHENTICATED", "CUSTOMER_UNAUTHORIZED": 401
        case "PERMISSION_DENIED": 403
        case "RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "ENDPOINT_NOT_FOUND": 404
        case "ABORTED", "ALREADY_EXISTS", "RESOURCE_CONFLICT": 409
        case "REQUEST_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED": 429
        case "CANCELLED": 499
        case "NOT_IMPLEMENTED": 501
        case "TEMPORARILY_UNAVAILABLE": 503
        case "DEADLINE_EXCEEDED": 504
        default: 500
        }
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
