import LogbookCore
import Testing

@Suite("Error codes")
struct ErrorCodeTests {
    @Test(arguments: [
        (ErrorCode.invalidParameterValue, 400), (.badRequest, 400), (.resourceAlreadyExists, 400),
        (.unauthenticated, 401), (.permissionDenied, 403), (.resourceDoesNotExist, 404), (.endpointNotFound, 404),
        (.aborted, 409), (.requestLimitExceeded, 429), (.resourceExhausted, 429), (.cancelled, 499),
        (.internalError, 500), (.invalidState, 500), (.notImplemented, 501), (.temporarilyUnavailable, 503),
        (.deadlineExceeded, 504), (ErrorCode(rawValue: "SOMETHING_NEW"), 500),
    ])
    func httpStatusFollowsMLflow(code: ErrorCode, status: Int) {
        #expect(code.httpStatus == status)
        #expect(LogbookError(code, "m").httpStatus == status)
    }

    @Test func errorDescribesCodeAndMessage() {
        let error = LogbookError.runNotFound("abc")
        #expect(error.code == .resourceDoesNotExist)
        #expect(error.description == "RESOURCE_DOES_NOT_EXIST: Run with id=abc not found")
    }
}
