import Foundation
import HTTPTypes
import Hummingbird
import LogbookCore
import LogbookWire

/// Building answers: MLflow JSON, `{}`, plain text, and the JSON error envelope.
enum APIResponse {
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    /// `value` as compact MLflow JSON (``WireEncoder``: doubles with a fraction, NaN and ±infinity as
    /// strings, empty fields left out).
    static func json<T: Encodable>(_ value: T) throws -> Response {
        json(bytes: try WireEncoder.encode(value))
    }

    /// `value` as plain JSON, every field present (`false` and `0` included): the auth API's
    /// answers, which MLflow's client reads by key.
    static func plainJSON<T: Encodable>(_ value: T) throws -> Response {
        json(bytes: Array(try JSONEncoder().encode(value)))
    }

    /// JSON already written (by ``JSONWriter``).
    static func json(bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: jsonHeaders, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The empty message, `{}`.
    static func empty() -> Response {
        Response(status: .ok, headers: jsonHeaders, body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
    }

    static func text(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `{"error_code": …, "message": …}` with the status the code maps to, or `status` when given
    /// (405 and 413 have no MLflow error code of their own).
    static func error(_ error: LogbookError, status: HTTPResponse.Status? = nil, headers: HTTPFields = [:]) -> Response
    {
        var allHeaders = jsonHeaders
        allHeaders.append(contentsOf: headers)
        let body = (try? WireEncoder.encode(ErrorResponse(error))) ?? Array("{}".utf8)
        return Response(
            status: status ?? HTTPResponse.Status(code: error.httpStatus), headers: allHeaders,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
