/// A piece of HTML whose interpolated values are escaped unless they are HTML themselves.
///
/// Escaping is decided by type, not by remembering: `"<td>\(run.info.runName)</td>" as HTML`
/// escapes the name (a run called `<img src=x onerror=alert(1)>` shows as that text), while
/// `"<tr>\(cells)</tr>"` with `cells: HTML` nests markup. The escaped characters (`& < > " '`)
/// make a value safe both as element text and inside a quoted attribute.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var text: String

    init(stringLiteral literal: String) {
        text = literal
    }

    init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
    }

    static let empty: HTML = ""

    var description: String { text }

    struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        /// The template's own markup, as written.
        mutating func appendLiteral(_ literal: String) { text += literal }
        /// Text from anywhere else: escaped.
        mutating func appendInterpolation(_ value: String) { HTML.escape(value, into: &text) }
        mutating func appendInterpolation(_ value: Substring) { HTML.escape(String(value), into: &text) }
        mutating func appendInterpolation(_ value: HTML) { text += value.text }
        mutating func appendInterpolation(_ values: [HTML]) {
            for value in values { text += value.text }
        }
        mutating func appendInterpolation(_ value: Int) { text += String(value) }
        mutating func appendInterpolation(_ value: Int64) { text += String(value) }
        /// A URL built by ``UIURL``: its parts are percent-encoded, then the whole is escaped.
        mutating func appendInterpolation(_ url: UIURL) { HTML.escape(url.description, into: &text) }
        /// Nothing for `nil`.
        mutating func appendInterpolation(_ value: HTML?) { text += value?.text ?? "" }
    }

    static func escape(_ value: String, into text: inout String) {
        for character in value.unicodeScalars {
            switch character {
            case "&": text += "&amp;"
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            case "\"": text += "&quot;"
            case "'": text += "&#39;"
            default: text.unicodeScalars.append(character)
            }
        }
    }

    static func + (lhs: HTML, rhs: HTML) -> HTML {
        var joined = lhs
        joined.text += rhs.text
        return joined
    }

    static func += (lhs: inout HTML, rhs: HTML) { lhs.text += rhs.text }

    /// `html` when `condition` holds, else nothing.
    static func when(_ condition: Bool, _ html: @autoclosure () -> HTML) -> HTML { condition ? html() : .empty }
}

extension Array where Element == HTML {
    func joined(separator: HTML = .empty) -> HTML {
        var result = HTML.empty
        for (index, element) in enumerated() {
            if index > 0 { result += separator }
            result += element
        }
        return result
    }
}
