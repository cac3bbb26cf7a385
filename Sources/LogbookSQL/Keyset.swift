import LogbookCore

/// One term of a total order: an expression and its direction. An expression that can be NULL
/// follows a flag key `(expression IS NULL)`, which puts NULLs last.
public struct SortKey: Sendable, Hashable {
    public var expression: SQLFragment
    public var ascending: Bool
    /// Whether the expression is a subquery per row, worth computing once per page rather than
    /// once in the filter and again in the order.
    public var computed: Bool

    public init(_ expression: SQLFragment, ascending: Bool, computed: Bool = false) {
        self.expression = expression
        self.ascending = ascending
        self.computed = computed
    }
}

/// Keyset paging over a total order of ``SortKey``s: the query selects each key as a column
/// (`s0`, `s1`, …) of a subquery `q`, and a page starts after the last row of the previous one.
public enum Keyset {
    /// `SELECT id, s0, s1, … FROM (SELECT <id> AS id, <keys> FROM <from> WHERE <condition>) q
    /// [WHERE after] ORDER BY … LIMIT limit`.
    public static func query(
        id: String, keys: [SortKey], from: SQLFragment, condition: SQLFragment, after: [SQLValue?]?, limit: Int?
    ) -> SQLFragment {
        var columns = SQLFragment("\(id) AS id")
        for (index, key) in keys.enumerated() {
            columns = SQLFragment(
                "\(columns.sql), \(key.expression.sql) AS s\(index)", columns.arguments + key.expression.arguments)
        }
        // Computed keys: the matches are materialized once, so that each subquery runs once per
        // row (the whole match set is sorted anyway); otherwise the query is flattened and can
        // walk an index in order and stop after a page.
        let inner = "SELECT \(columns.sql) FROM \(from.sql) WHERE \(condition.sql)"
        var sql =
            keys.contains(where: \.computed)
            ? "WITH q AS MATERIALIZED (\(inner)) SELECT * FROM q" : "SELECT * FROM (\(inner)) q"
        var arguments = columns.arguments + from.arguments + condition.arguments
        if let after {
            let position = self.after(keys, after)
            sql += " WHERE " + position.sql
            arguments += position.arguments
        }
        sql +=
            " ORDER BY "
            + keys.indices.map { "q.s\($0) \(keys[$0].ascending ? "ASC" : "DESC")" }.joined(separator: ", ")
        if let limit { sql += " LIMIT \(limit)" }
        return SQLFragment(sql, arguments)
    }

    /// Rows strictly after the row whose sort keys were `values`: for some key, every earlier key
    /// equal and this one beyond. A NULL is equal only to NULL, and nothing is beyond it (NULLs
    /// sit last, behind their flag key).
    static func after(_ keys: [SortKey], _ values: [SQLValue?]) -> SQLFragment {
        var alternatives: [SQLFragment] = []
        var equal: [SQLFragment] = []
        for (index, key) in keys.enumerated() where index < values.count {
            let column = "q.s\(index)"
            if let value = values[index] {
                alternatives.append(
                    SQLFragment.joined(
                        equal + [SQLFragment("\(column) \(key.ascending ? ">" : "<") ?", [value])], separator: " AND "
                    ).parenthesized)
                equal.append(SQLFragment("\(column) = ?", [value]))
            } else {
                equal.append(SQLFragment("\(column) IS NULL"))
            }
        }
        guard !alternatives.isEmpty else { return SQLFragment("FALSE") }
        let any = SQLFragment.joined(alternatives, separator: " OR ").parenthesized
        // The first key's bound, redundant but plain, lets an index on it start at the position
        // instead of walking from the first row.
        guard let key = keys.first, let value = values.first ?? nil else { return any }
        return SQLFragment("q.s0 \(key.ascending ? ">=" : "<=") ? AND \(any.sql)", [value] + any.arguments)
    }
}
