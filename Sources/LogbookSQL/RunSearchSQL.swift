import LogbookCore

/// Turns a ``RunSearch`` into SQL over the stores' shared schema (`runs r`, `params`, `tags`,
/// `metric_series`, `run_inputs`, `datasets`, `run_input_tags`). Every user value is a bound parameter.
///
/// Semantics (reference §7.1): a run lacking the metric, param or tag a comparison names does not
/// match it (`!=` and `NOT IN` included); only `IS NULL` matches absence. A NaN summary matches `!=`
/// only, as IEEE comparisons go. A dataset comparison matches a run that used at least one dataset
/// whose name, digest or context (the `mlflow.data.context` input tag) compares.
public struct RunSearchSQL: Sendable {
    public var dialect: SQLDialect

    public init(dialect: SQLDialect) {
        self.dialect = dialect
    }

    /// The condition for `filter` on runs aliased `r`.
    public func condition(_ filter: FilterExpression<RunField>) -> SQLFragment {
        switch filter {
        case .all(let terms): SQLFragment.joined(terms.map(condition).map(parenthesized), separator: " AND ")
        case .any(let terms): SQLFragment.joined(terms.map(condition).map(parenthesized), separator: " OR ")
        case .comparison(let comparison): condition(comparison)
        }
    }

    private func parenthesized(_ fragment: SQLFragment) -> SQLFragment {
        SQLFragment("(\(fragment.sql))", fragment.arguments)
    }

    private func condition(_ comparison: Comparison<RunField>) -> SQLFragment {
        switch comparison.field {
        case .metric(let key):
            guard case .number(let number) = comparison.value else { return SQLFragment("FALSE") }
            let test =
                comparison.comparator == .notEqual
                ? SQLFragment("(m.is_nan = 1 OR m.value != ?)", [.real(number)])
                : SQLFragment("m.is_nan = 0 AND m.value \(comparison.comparator.rawValue) ?", [.real(number)])
            return SQLFragment(
                "EXISTS (SELECT 1 FROM metric_series m WHERE m.run_key = r.run_key AND m.key = ? AND \(test.sql))",
                [.text(key)] + test.arguments)
        case .param(let key):
            return keyValue(table: "params", key: key, comparison)
        case .tag(let key):
            return keyValue(table: "tags", key: key, comparison)
        case .attribute(let attribute):
            return value(Self.column(attribute), comparison)
        case .dataset(let key):
            if key == "context" {
                let test = value("t.value", comparison)
                return SQLFragment(
                    "EXISTS (SELECT 1 FROM run_input_tags t WHERE t.run_key = r.run_key AND t.key = ? AND \(test.sql))",
                    [.text(DatasetInput.contextTag)] + test.arguments)
            }
            let test = value(key == "digest" ? "d.digest" : "d.name", comparison)
            return SQLFragment(
                """
                EXISTS (SELECT 1 FROM run_inputs i JOIN datasets d ON d.dataset_key = i.dataset_key \
                WHERE i.run_key = r.run_key AND \(test.sql))
                """, test.arguments)
        }
    }

    /// A comparison on a key–value table: EXISTS a row with the key whose value compares; IS NULL
    /// is the absence of the key.
    private func keyValue(table: String, key: String, _ comparison: Comparison<RunField>) -> SQLFragment {
        let exists = "EXISTS (SELECT 1 FROM \(table) k WHERE k.run_key = r.run_key AND k.key = ?"
        switch comparison.comparator {
        case .isNull: return SQLFragment("NOT " + exists + ")", [.text(key)])
        case .isNotNull: return SQLFragment(exists + ")", [.text(key)])
        default:
            let test = value("k.value", comparison)
            return SQLFragment(exists + " AND \(test.sql))", [.text(key)] + test.arguments)
        }
    }

    /// `column <comparator> value` for a column that holds the value directly.
    func value<Field>(_ column: String, _ comparison: Comparison<Field>) -> SQLFragment {
        switch (comparison.comparator, comparison.value) {
        case (.like, .string(let pattern)): return dialect.like(column, pattern)
        case (.ilike, .string(let pattern)): return dialect.ilike(column, pattern)
        case (.in, .list(let values)), (.notIn, .list(let values)):
            guard !values.isEmpty else {
                return SQLFragment(comparison.comparator == .in ? "FALSE" : "\(column) IS NOT NULL")
            }
            return SQLFragment(
                "\(column) \(comparison.comparator.rawValue) (\(SQLFragment.placeholders(values.count)))",
                values.map(SQLValue.text))
        case (.isNull, _): return SQLFragment("\(column) IS NULL")
        case (.isNotNull, _): return SQLFragment("\(column) IS NOT NULL")
        case (let comparator, .string(let text)):
            return SQLFragment("\(column) \(comparator.rawValue) ?", [.text(text)])
        case (let comparator, .number(let number)):
            return SQLFragment("\(column) \(comparator.rawValue) ?", [.real(number)])
        default: return SQLFragment("FALSE")
        }
    }

    /// The joins and sort keys for `terms`, then start time descending (unless ordered by it
    /// already) and run id ascending: a total order, for keyset paging. Runs lacking a key come
    /// last in both directions; NaN metrics come after numbers and before missing values.
    public func ordering(_ terms: [OrderTerm<RunField>]) -> (joins: SQLFragment, keys: [SortKey]) {
        var joins: [SQLFragment] = []
        var keys: [SortKey] = []
        for (index, term) in terms.enumerated() {
            let alias = "o\(index)"
            switch term.field {
            case .metric(let key):
                joins.append(
                    SQLFragment(
                        "LEFT JOIN metric_series \(alias) ON \(alias).run_key = r.run_key AND \(alias).key = ?",
                        [.text(key)]))
                keys += [
                    SortKey(dialect.nullFlag(SQLFragment("\(alias).run_key")), ascending: true),
                    SortKey(SQLFragment("\(alias).is_nan"), ascending: true),
                    SortKey(SQLFragment("\(alias).value"), ascending: term.ascending),
                ]
            case .param(let key), .tag(let key):
                let table = term.field == .param(key) ? "params" : "tags"
                joins.append(
                    SQLFragment(
                        "LEFT JOIN \(table) \(alias) ON \(alias).run_key = r.run_key AND \(alias).key = ?", [.text(key)]
                    ))
                keys += [
                    SortKey(dialect.nullFlag(SQLFragment("\(alias).run_key")), ascending: true),
                    SortKey(SQLFragment("\(alias).value"), ascending: term.ascending),
                ]
            case .attribute(let attribute):
                let column = Self.column(attribute)
                keys += [
                    SortKey(dialect.nullFlag(SQLFragment(column)), ascending: true),
                    SortKey(SQLFragment(column), ascending: term.ascending),
                ]
            case .dataset:
                break
            }
        }
        if !terms.contains(where: { $0.field == .attribute(.startTime) }) {
            keys.append(SortKey(SQLFragment("r.start_time"), ascending: false))
        }
        keys.append(SortKey(SQLFragment("r.run_id"), ascending: true))
        return (SQLFragment.joined(joins, separator: " "), keys)
    }

    static func column(_ attribute: RunAttribute) -> String {
        switch attribute {
        case .runID: "r.run_id"
        case .runName: "r.name"
        case .userID: "r.user_id"
        case .status: "r.status"
        case .artifactURI: "r.artifact_uri"
        case .startTime: "r.start_time"
        case .endTime: "r.end_time"
        case .duration: "(r.end_time - r.start_time)"
        }
    }
}
