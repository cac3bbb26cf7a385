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

    /// ORDER BY terms, then creation time descending (unless used) and id ascending.
    public func ordering(_ terms: [OrderTerm<ExperimentField>]) -> String {
        var order: [String] = []
        for term in terms {
            guard case .attribute(let attribute) = term.field else { continue }
            order.append("\(Self.column(attribute)) \(term.ascending ? "ASC" : "DESC")")
        }
        if !terms.contains(where: { $0.field == .attribute(.creationTime) }) { order.append("e.creation_time DESC") }
        if !terms.contains(where: { $0.field == .attribute(.experimentID) }) { order.append("e.experiment_id ASC") }
        return order.joined(separator: ", ")
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
