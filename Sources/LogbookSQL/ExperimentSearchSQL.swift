import LogbookCore

/// Turns an ``ExperimentSearch`` into SQL over `experiments e` and `experiment_tags`.
public struct ExperimentSearchSQL: Sendable {
    public var dialect: SQLDialect

    public init(dialect: SQLDialect) {
        self.dialect = dialect
    }

    public func condition(_ filter: FilterExpression<ExperimentField>) -> SQLFragment {
        switch filter {
        case .all(let terms):
            SQLFragment.joined(terms.map { wrap(condition($0)) }, separator: " AND ")
        case .any(let terms):
            SQLFragment.joined(terms.map { wrap(condition($0)) }, separator: " OR ")
        case .comparison(let comparison):
            condition(comparison)
        }
    }

    private func wrap(_ fragment: SQLFragment) -> SQLFragment { SQLFragment("(\(fragment.sql))", fragment.arguments) }

    private func condition(_ comparison: Comparison<ExperimentField>) -> SQLFragment {
        let values = RunSearchSQL(dialect: dialect)
        switch comparison.field {
        case .attribute(.experimentID):
            // Ids are integers in the table and strings on the wire: compare as text.
            return values.value("CAST(e.experiment_id AS TEXT)", comparison)
        case .attribute(let attribute):
            return values.value(Self.column(attribute), comparison)
        case .tag(let key):
            let exists = "EXISTS (SELECT 1 FROM experiment_tags k WHERE k.experiment_id = e.experiment_id AND k.key = ?"
            switch comparison.comparator {
            case .isNull: return SQLFragment("NOT " + exists + ")", [.text(key)])
            case .isNotNull: return SQLFragment(exists + ")", [.text(key)])
            default:
                let test = values.value("k.value", comparison)
                return SQLFragment(exists + " AND \(test.sql))", [.text(key)] + test.arguments)
            }
        }
    }

    /// The sort keys of `terms`, then creation time descending (unless used) and id ascending:
    /// a total order, for keyset paging (every attribute is NOT NULL).
    public func ordering(_ terms: [OrderTerm<ExperimentField>]) -> [SortKey] {
        var keys: [SortKey] = []
        for term in terms {
            guard case .attribute(let attribute) = term.field else { continue }
            keys.append(SortKey(SQLFragment(Self.column(attribute)), ascending: term.ascending))
        }
        if !terms.contains(where: { $0.field == .attribute(.creationTime) }) {
            keys.append(SortKey(SQLFragment("e.creation_time"), ascending: false))
        }
        if !terms.contains(where: { $0.field == .attribute(.experimentID) }) {
            keys.append(SortKey(SQLFragment("e.experiment_id"), ascending: true))
        }
        return keys
    }

    static func column(_ attribute: ExperimentAttribute) -> String {
        switch attribute {
        case .name: "e.name"
        case .experimentID: "e.experiment_id"
        case .creationTime: "e.creation_time"
        case .lastUpdateTime: "e.last_update_time"
        }
    }
}
