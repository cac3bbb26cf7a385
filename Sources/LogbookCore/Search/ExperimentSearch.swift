/// A parsed experiment search (reference §7.3): filters on `name`, `experiment_id`,
/// `creation_time`, `last_update_time` and `tags.<key>`, with OR and parentheses as for runs.
public struct ExperimentSearch: Sendable, Hashable {
    /// `nil` matches every experiment.
    public var filter: FilterExpression<ExperimentField>?
    /// The order asked for, without the implied tie-breakers (creation time descending, then id).
    public var orderBy: [OrderTerm<ExperimentField>]

    public init(filter: String? = nil, orderBy: [String] = []) throws {
        self.filter = try FilterParser<ExperimentGrammar>.filter(filter)
        self.orderBy = try orderBy.map(FilterParser<ExperimentGrammar>.orderTerm)
        try requireDistinctFields(self.orderBy, orderBy)
    }
}

enum ExperimentGrammar: SearchGrammar {
    static func field(entity: String?, key: String) throws(GrammarError) -> ExperimentField {
        switch entity?.lowercased() {
        case nil, "attribute", "attributes":
            guard let attribute = ExperimentAttribute(rawValue: key) else {
                throw GrammarError(
                    "'\(key)' is not a searchable experiment attribute; use one of \(ExperimentAttribute.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return .attribute(attribute)
        case "tag", "tags":
            return .tag(key)
        default:
            throw GrammarError("'\(entity ?? "")' is not an entity of experiments; use tags. or attributes.")
        }
    }

    static func check(_ comparison: Comparison<ExperimentField>) throws(GrammarError) {
        switch comparison.field {
        case .attribute(let attribute) where attribute.isNumeric:
            try requireNumber(comparison, "attribute '\(attribute.rawValue)'")
        case .attribute(let attribute):
            try requireString(comparison, "attribute '\(attribute.rawValue)'", allowingNull: false)
        case .tag(let key):
            try requireString(comparison, "tag '\(key)'", allowingNull: true)
        }
    }

    static func checkOrderable(_ field: ExperimentField, key: String) throws(GrammarError) {
        if case .tag = field { throw GrammarError("experiments can be ordered by attributes only") }
    }
}
