import Foundation

/// Opaque page tokens: a position in a listing, as base64-encoded JSON.
///
/// Stores page by position (keyset), not by offset, so that a page never skips or repeats an
/// element while elements are being added elsewhere.
public enum PageToken {
    /// Encodes a position.
    public static func encode<Position: Encodable>(_ position: Position) -> String {
        // Encoding a plain Codable struct of numbers and strings cannot fail.
        let data = (try? JSONEncoder().encode(position)) ?? Data()
        return data.base64EncodedString()
    }

    /// Decodes a token made by ``encode(_:)``; anything else is `INVALID_PARAMETER_VALUE`.
    public static func decode<Position: Decodable>(_ token: String, as type: Position.Type) throws -> Position {
        guard let data = Data(base64Encoded: token),
            let position = try? JSONDecoder().decode(Position.self, from: data)
        else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid page token '\(token)'. Pass back the next_page_token of the previous page unchanged."
            )
        }
        return position
    }
}
