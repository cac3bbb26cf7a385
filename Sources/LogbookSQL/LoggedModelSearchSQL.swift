import LogbookCore

/// Turns a ``LoggedModelSearch`` into SQL over `logged_models lm`, `logged_model_params`,
/// `logged_model_tags` and `logged_model_metrics`. Every user value is a bound parameter.
///
/// Semantics (MLflow 3): a metric comparison matches a model when any point logged for it
/// compares (only points on the search's datasets, when it names some); ordering by a metric
/// uses the latest point (timestamp, then step). Models lacking what a term orders by come last.
public struct LoggedModelSearchSQL: Sendable {
    public var dialect: SQLDialect

    public init(dialect: SQLDialect) {
        self.dialect = dialect
    }

    /// The condition for `search`'s filter and datasets on models aliased `lm`; `nil` when it
    /// matches every model.
    public func condition(_ search: LoggedModelSearch) -> SQLFragment? {
        var parts: [SQLFragment] = []
        if let filter = search.filter { parts.append(condition(filter, datasets: search.datasets)) }
        if !search.datasets.isEmpty, !(search.filter.map(Self.hasMetric) ?? false) {
            // Datasets alone: models with any point measured on one of them.
            let datasets = datasetCondition(search.datasets)
            parts.append(
                SQLFragment(
                    "EXISTS (SELECT 1 FROM logged_model_metrics x WHERE x.model_key = lm.model_key AND \(datasets.sql))",
                    datasets.arguments))
        }
        guard !parts.isEmpty else { return nil }
        return SQLFragment.joined(parts.map { SQLFragment("(\($0.sql))", $0.arguments) }, separator: " AND ")
    }

    private static func hasMetric(_ filter: FilterExpression<LoggedModelField>) -> Bool {
        switch filter {
        case .all(let terms), .any(let terms): terms.contains(where: hasMetric)
        case .comparison(let comparison): if case .metric = comparison.field { true } else { false }
        }
    }

    private func condition(_ filter: FilterExpression<LoggedModelField>, datasets: [LoggedModelDataset])
        -> SQLFragment
    {
        func wrapped(_ terms: [FilterExpression<LoggedModelField>], _ separator: String) -> SQLFragment {
            SQLFragment.joined(
                terms.map { condition($0, datasets: datasets) }.map { SQLFragment("(\($0.sql))", $0.arguments) },
                separator: separator)
        }
        switch filter {
        case .all(let terms): return wrapped(terms, " AND ")
        case .any(let terms): return wrapped(terms, " OR ")
        case .comparison(let comparison): return condition(comparison, datasets: datasets)
        }
    }

    private func condition(_ comparison: Comparison<LoggedModelField>, datasets: [LoggedModelDataset]) -> SQLFragment {
        let values = RunSearchSQL(dialect: dialect)
        switch comparison.field {
        case .metric(let key):
            guard case .number(let number) = comparison.value else { return SQLFragment("FALSE") }
            var test =
                comparison.comparator == .notEqual
                ? SQLFragment("(x.is_nan = 1 OR x.value != ?)", [.real(number)])
                : SQLFragment("x.is_nan = 0 AND x.value \(comparison.comparator.rawValue) ?", [.real(number)])
            if !datasets.isEmpty {
                let restriction = datasetCondition(datasets)
                test = SQLFragment("\(test.sql) AND \(restriction.sql)", test.arguments + restriction.arguments)
            }
            return SQLFragment(
                "EXISTS (SELECT 1 FROM logged_model_metrics x WHERE x.model_key = lm.model_key AND x.key = ? AND \(test.sql))",
                [.text(key)] + test.arguments)
        case .param(let key):
            return keyValue(table: "logged_model_params", key: key, comparison)
        case .tag(let key):
            return keyValue(table: "logged_model_tags", key: key, comparison)
        case .attribute(.experimentID):
            return values.value("CAST(lm.experiment_id AS TEXT)", comparison)
        case .attribute(.status):
            // Statuses are stored by their short names; MLflow's long names mean the same.
            var comparison = comparison
            switch comparison.value {
            case .string(let name) where comparison.comparator == .equal || comparison.comparator == .notEqual:
                comparison.value = .string(LoggedModelStatus(name: name)?.rawValue ?? name)
            case .list(let names):
                comparison.value = .list(names.map { LoggedModelStatus(name: $0)?.rawValue ?? $0 })
            default: break
            }
            return values.value("lm.status", comparison)
        case .attribute(let attribute):
            return values.value(Self.column(attribute), comparison)
        }
    }

    /// Points measured on one of `datasets` (by name, and digest when given), on `x`.
    private func datasetCondition(_ datasets: [LoggedModelDataset]) -> SQLFragment {
        SQLFragment.joined(
            datasets.map { dataset in
                if let digest = dataset.digest {
                    SQLFragment("(x.dataset_name = ? AND x.dataset_digest = ?)", [.text(dataset.name), .text(digest)])
                } else {
                    SQLFragment("x.dataset_name = ?", [.text(dataset.name)])
                }
            }, separator: " OR "
        ).parenthesized
    }

    private func keyValue(table: String, key: String, _ comparison: Comparison<LoggedModelField>) -> SQLFragment {
        let exists = "EXISTS (SELECT 1 FROM \(table) k WHERE k.model_key = lm.model_key AND k.key = ?"
        switch comparison.comparator {
        case .isNull: return SQLFragment("NOT " + exists + ")", [.text(key)])
        case .isNotNull: return SQLFragment(exists + ")", [.text(key)])
        default:
            let test = RunSearchSQL(dialect: dialect).value("k.value", comparison)
            return SQLFragment(exists + " AND \(test.sql))", [.text(key)] + test.arguments)
        }
    }

    /// The sort keys of `terms` and the joins they need: `terms` (models lacking what a term
    /// orders by last, in either direction), then creation time descending (unless ordered by it
    /// already) and model id ascending, which makes the order total, so that a page can start
    /// after the last row of the previous one (keyset paging).
    public func ordering(_ terms: [LoggedModelSearch.Order]) -> (keys: [SortKey], joins: SQLFragment) {
        var keys: [SortKey] = []
        var joins: [SQLFragment] = []
        func nullsLast(_ expression: SQLFragment, ascending: Bool, computed: Bool = false) {
            keys.append(
                SortKey(
                    dialect.nullFlag(expression), ascending: true,
                    computed: computed))
            keys.append(SortKey(expression, ascending: ascending, computed: computed))
        }
        for (index, term) in terms.enumerated() {
            let alias = "j\(index)"
            switch term.field {
            case .metric(let key):
                var restriction = SQLFragment("")
                if let dataset = term.dataset {
                    restriction = datasetCondition([dataset])
                    restriction.sql = " AND " + restriction.sql
                }
                // The latest point (timestamp, then step); NaN sorts with the missing.
                nullsLast(
                    SQLFragment(
                        """
                        (SELECT CASE WHEN x.is_nan = 1 THEN NULL ELSE x.value END FROM logged_model_metrics x \
                        WHERE x.model_key = lm.model_key AND x.key = ?\(restriction.sql) \
                        ORDER BY x.timestamp DESC, x.step DESC, x.run_id LIMIT 1)
                        """, [.text(key)] + restriction.arguments), ascending: term.ascending, computed: true)
            case .param(let key), .tag(let key):
                let table = term.field == .param(key) ? "logged_model_params" : "logged_model_tags"
                joins.append(
                    SQLFragment(
                        "LEFT JOIN \(table) \(alias) ON \(alias).model_key = lm.model_key AND \(alias).key = ?",
                        [.text(key)]))
                nullsLast(SQLFragment("\(alias).value"), ascending: term.ascending)
            case .attribute(let attribute):
                if attribute.isOptional {
                    nullsLast(SQLFragment(Self.column(attribute)), ascending: term.ascending)
                } else {
                    keys.append(SortKey(SQLFragment(Self.column(attribute)), ascending: term.ascending))
                }
            }
        }
        if !terms.contains(where: { $0.field == .attribute(.creationTime) }) {
            keys.append(SortKey(SQLFragment("lm.creation_time"), ascending: false))
        }
        if !terms.contains(where: { $0.field == .attribute(.modelID) }) {
            keys.append(SortKey(SQLFragment("lm.model_id"), ascending: true))
        }
        return (keys, SQLFragment.joined(joins, separator: " "))
    }

    static func column(_ attribute: LoggedModelAttribute) -> String {
        switch attribute {
        case .modelID: "lm.model_id"
        case .experimentID: "lm.experiment_id"
        case .name: "lm.name"
        case .modelType: "lm.model_type"
        case .status: "lm.status"
        case .sourceRunID: "lm.source_run_id"
        case .artifactLocation: "lm.artifact_location"
        case .creationTime: "lm.creation_time"
        case .lastUpdatedTime: "lm.last_updated_time"
        }
    }
}

extension SQLFragment {
    var parenthesized: SQLFragment { SQLFragment("(\(sql))", arguments) }
}
