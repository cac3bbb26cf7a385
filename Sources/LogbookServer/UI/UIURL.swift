/// A link inside the UI: a path and query items, percent-encoded when written.
///
/// Every page's state (filter, order, columns, selected runs, chart settings) lives in its query
/// string, so a URL can be shared and the back button works.
struct UIURL: Sendable, CustomStringConvertible, Hashable {
    var path: String
    var query: [(name: String, value: String)]

    init(_ path: String, _ query: [(name: String, value: String)] = []) {
        self.path = path
        self.query = query
    }

    static func == (lhs: UIURL, rhs: UIURL) -> Bool { lhs.description == rhs.description }
    func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// A copy with `name` set to `value` (every earlier value of `name` removed); `nil` removes it.
    func setting(_ name: String, _ value: String?) -> UIURL {
        var copy = self
        copy.query.removeAll { $0.name == name }
        if let value { copy.query.append((name, value)) }
        return copy
    }

    var description: String {
        guard !query.isEmpty else { return Self.encode(path, keeping: Self.pathCharacters) }
        let items = query.map {
            Self.encode($0.name, keeping: Self.queryCharacters) + "="
                + Self.encode($0.value, keeping: Self.queryCharacters)
        }
        return Self.encode(path, keeping: Self.pathCharacters) + "?" + items.joined(separator: "&")
    }

    private static let pathCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/".utf8)
    private static let queryCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~,".utf8)

    static func encode(_ text: String, keeping allowed: Set<UInt8>) -> String {
        var result = ""
        for byte in text.utf8 {
            if allowed.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        return result
    }
}
