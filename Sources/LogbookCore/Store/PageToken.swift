import Foundation

/// Opaque page tokens: a position in a listing, as base64-encoded JSON.
///
/// Stores page by position (keyset), not by offset, so that a page never skips or repeats an
/// element while elements are being added elsewhere.
public enum PageToken {
    /// Encodes a position. Sort keys may be NaN or ±infinity (a metric's value), which plain JSON
    /// cannot hold: they are written as strings.
    public static func encode<Position: Encodable>(_ position: Position) -> String {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try encoder.encode(position).base64EncodedString()
        } catch {
            // A struct of numbers and strings with every float allowed: encoding cannot fail.
            preconditionFailure("page token position not encodable: \(error)")
        }
    }

    /// Decodes a token made by ``encode(_:)``; anything else is `INVALID_PARAMETER_VALUE`.
    public static func decode<Position: Decodable>(_ token: String, as type: Position.Type) throws -> Position {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let data = Data(base64Encoded: token),
            let position = try? decoder.decode(Position.self, from: data)
        else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid page token '\(token)'. Pass back the next_page_token of the previous page unchanged."
            )
        }
        return position
    }
}
