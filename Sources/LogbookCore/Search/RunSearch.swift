/// A parsed run search: MLflow's filter and order_by (reference §7.1–§7.2).
///
/// ```swift
/// let search = try RunSearch(
///     filter: "metrics.acc > 0.9 and params.lr = '0.01'", orderBy: ["metrics.acc DESC"])
/// ```
///
/// Every filter MLflow accepts means the same here. Beyond MLflow: OR with parentheses, and IN /
/// NOT IN for params, tags and every string attribute (MLflow: `run_id` only).
public struct RunSearch: Sendable, Hashable {
    /// `nil` matches every run.
    public var filter: FilterExpression<RunField>?
    /// The order asked for, without the implied tie-breakers (start time descending, then run id).
    public var orderBy: [OrderTerm<RunField>]

    public init(filter: String? = nil, orderBy: [String] = []) throws {
        self.filter = try FilterParser<RunGrammar>.filter(filter)
        self.orderBy = try orderBy.map(FilterParser<RunGrammar>.orderTerm)
        try requireDistinctFields(self.orderBy, orderBy)
    }
}

enum RunGrammar: SearchGrammar {
    static func field(entity: String?, key: String) throws(GrammarError) -> RunField {
        switch entity?.lowercased() {
        case nil, "attribute", "attributes", "attr", "run":
            if let attribute = RunAttribute(rawValue: key) { return .attribute(attribute) }
            switch key {
            case "created", "Created": return .attribute(.startTime)
            case "run name", "Run name", "Run Name": return .attribute(.runName)
            default:
                throw GrammarError(
                    "'\(key)' is not a searchable attribute; use one of \(RunAttribute.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
        case "metric", "metrics": return .metric(key)
        case "parameter", "parameters", "param", "params": return .param(key)
        case "tag", "tags": return .tag(key)
        case "dataset", "datasets":
            guard ["name", "digest", "context"].contains(key) else {
                throw GrammarError("datasets can be searched by name, digest or context, not '\(key)'")
            }
            return .dataset(key)
        default:
            throw GrammarError(
                "'\(entity ?? "")' is not an entity; use metrics., params., tags., attributes. or datasets.")
        }
    }

    static func check(_ comparison: Comparison<RunField>) throws(GrammarError) {
        switch comparison.field {
        case .metric(let key):
            try requireNumber(comparison, "metric '\(key)'")
        case .attribute(let attribute) where attribute.isNumeric:
            try requireNumber(comparison, "attribute '\(attribute.rawValue)'")
        case .attribute(let attribute):
            try requireString(comparison, "attribute '\(attribute.rawValue)'", allowingNull: false)
        case .param(let key):
            try requireString(comparison, "param '\(key)'", allowingNull: true)
        case .tag(let key):
            try requireString(comparison, "tag '\(key)'", allowingNull: true)
        case .dataset(let key):
            try requireString(comparison, "dataset \(key)", allowingNull: false)
        }
    }

    static func checkOrderable(_ field: RunField, key: String) throws(GrammarError) {
        if case .dataset = field { throw GrammarError("runs cannot be ordered by datasets") }
        if key.contains(" "), case .attribute = field { throw GrammarError("order by run_name, not '\(key)'") }
    }
}

func requireNumber<Field>(_ comparison: Comparison<Field>, _ what: String) throws(GrammarError) {
    guard Comparator.numeric.contains(comparison.comparator) else {
        throw GrammarError(
            "\(what) takes =, !=, >, >=, < or <=, not \(comparison.comparator.rawValue)")
    }
    guard case .number = comparison.value else {
        throw GrammarError("expected a numeric value for \(what) (e.g. 0.9), not a quoted string")
    }
}

func requireString<Field>(_ comparison: Comparison<Field>, _ what: String, allowingNull: Bool) throws(GrammarError) {
    switch comparison.comparator {
    case .isNull, .isNotNull:
        guard allowingNull else { throw GrammarError("\(what) takes no \(comparison.comparator.rawValue)") }
    case .in, .notIn:
        break
    case .equal, .notEqual, .like, .ilike:
        guard case .string = comparison.value else {
            throw GrammarError("expected a quoted string value for \(what) (e.g. 'my-value')")
        }
    case .greater, .greaterOrEqual, .less, .lessOrEqual:
        throw GrammarError(
            "\(what) takes =, !=, LIKE, ILIKE, IN, NOT IN\(allowingNull ? ", IS NULL, IS NOT NULL" : ""), not \(comparison.comparator.rawValue)"
        )
    }
}
