import LogbookCore

/// A value bound to a statement parameter: user input never becomes SQL text.
public enum SQLValue: Sendable, Hashable, Codable {
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// A piece of SQL with `?` placeholders and the values they take, in order.
public struct SQLFragment: Sendable, Hashable {
    public var sql: String
    public var arguments: [SQLValue]

    public init(_ sql: String, _ arguments: [SQLValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }

    /// `self` and `other` joined by `separator`.
    static func joined(_ fragments: [SQLFragment], separator: String) -> SQLFragment {
        SQLFragment(fragments.map(\.sql).joined(separator: separator), fragments.flatMap(\.arguments))
    }

    /// `count` placeholders separated by commas.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

/// The SQL flavours the stores speak; they share the schema's table and column names.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// 1 where `expression` is NULL, else 0: the sort key that puts NULLs last. (PostgreSQL's
    /// `IS NULL` is a boolean, which does not compare with the integers a page token holds.)
    func nullFlag(_ expression: SQLFragment) -> SQLFragment {
        switch self {
        case .sqlite: SQLFragment("(\(expression.sql) IS NULL)", expression.arguments)
        case .postgres: SQLFragment("(\(expression.sql) IS NULL)::int", expression.arguments)
        }
    }

    /// A case-sensitive `LIKE`.
    func like(_ column: String, _ pattern: String) -> SQLFragment {
        switch self {
        // SQLite's LIKE ignores ASCII case; GLOB is case-sensitive, with the pattern translated.
        case .sqlite: SQLFragment("\(column) GLOB ?", [.text(Self.glob(fromLike: pattern))])
        // MLflow's patterns have no escape character; PostgreSQL's default is the backslash.
        case .postgres: SQLFragment("\(column) LIKE ? ESCAPE ''", [.text(pattern)])
        }
    }

    /// A case-insensitive `LIKE`.
    func ilike(_ column: String, _ pattern: String) -> SQLFragment {
        switch self {
        case .sqlite: SQLFragment("LOWER(\(column)) LIKE LOWER(?)", [.text(pattern)])
        case .postgres: SQLFragment("\(column) ILIKE ? ESCAPE ''", [.text(pattern)])
        }
    }

    /// A LIKE pattern (`%`, `_`, no escapes, as MLflow) as a GLOB pattern.
    static func glob(fromLike pattern: String) -> String {
        var glob = ""
        for character in pattern {
            switch character {
            case "%": glob += "*"
            case "_": glob += "?"
            case "*": glob += "[*]"
            case "?": glob += "[?]"
            case "[": glob += "[[]"
            default: glob.append(character)
            }
        }
        return glob
    }
}
