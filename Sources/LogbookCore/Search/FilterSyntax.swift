/// A parsed search filter: comparisons joined by AND and OR, with parentheses.
///
/// MLflow accepts only AND; Logbook also accepts OR and parentheses (mlflow issues #4135, #9719).
/// AND binds tighter than OR.
public indirect enum FilterExpression<Field: Sendable & Hashable>: Sendable, Hashable {
    case comparison(Comparison<Field>)
    /// All of these (AND).
    case all([FilterExpression])
    /// Any of these (OR).
    case any([FilterExpression])
}

/// One `field comparator value` term of a filter.
public struct Comparison<Field: Sendable & Hashable>: Sendable, Hashable {
    public var field: Field
    public var comparator: Comparator
    public var value: FilterValue

    public init(field: Field, comparator: Comparator, value: FilterValue) {
        self.field = field
        self.comparator = comparator
        self.value = value
    }
}

/// The comparators of MLflow's filter grammar.
public enum Comparator: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
    /// Case-sensitive pattern: `%` any run of characters, `_` one character.
    case like = "LIKE"
    /// Case-insensitive pattern.
    case ilike = "ILIKE"
    case `in` = "IN"
    case notIn = "NOT IN"
    case isNull = "IS NULL"
    case isNotNull = "IS NOT NULL"

    static let numeric: Set<Comparator> = [.equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual]
    static let string: Set<Comparator> = [.equal, .notEqual, .like, .ilike, .in, .notIn]
}

/// The right-hand side of a comparison.
public enum FilterValue: Sendable, Hashable {
    case number(Double)
    case string(String)
    /// `('a', 'b')`, for IN and NOT IN.
    case list([String])
    /// No value: IS NULL and IS NOT NULL.
    case none
}

/// What a run filter or order can refer to.
public enum RunField: Sendable, Hashable {
    /// A metric's summary value.
    case metric(String)
    case param(String)
    case tag(String)
    case attribute(RunAttribute)
    /// A dataset input's `name`, `digest` or `context`.
    case dataset(String)
}

/// The searchable attributes of a run.
public enum RunAttribute: String, Sendable, Hashable, CaseIterable {
    case runID = "run_id"
    case runName = "run_name"
    case userID = "user_id"
    case status
    case artifactURI = "artifact_uri"
    case startTime = "start_time"
    case endTime = "end_time"
    /// `end_time - start_time` in milliseconds; absent while the run has not ended. Logbook's own
    /// (MLflow has no duration attribute), so the web UI can sort by it.
    case duration

    /// Whether values are numbers (milliseconds) rather than strings.
    public var isNumeric: Bool { self == .startTime || self == .endTime || self == .duration }
}

/// What an experiment filter or order can refer to.
public enum ExperimentField: Sendable, Hashable {
    case attribute(ExperimentAttribute)
    case tag(String)
}

/// The searchable attributes of an experiment.
public enum ExperimentAttribute: String, Sendable, Hashable, CaseIterable {
    case name
    case experimentID = "experiment_id"
    case creationTime = "creation_time"
    case lastUpdateTime = "last_update_time"

    public var isNumeric: Bool { self == .creationTime || self == .lastUpdateTime }
}

/// One `order_by` term: a field and a direction.
public struct OrderTerm<Field: Sendable & Hashable>: Sendable, Hashable {
    public var field: Field
    public var ascending: Bool

    public init(field: Field, ascending: Bool) {
        self.field = field
        self.ascending = ascending
    }
}

/// Throws when `terms` order by one field twice (MLflow answers that with HTTP 500).
func requireDistinctFields<Field>(_ terms: [OrderTerm<Field>], _ text: [String]) throws {
    var seen = Set<Field>()
    for term in terms where !seen.insert(term.field).inserted {
        throw LogbookError(
            .invalidParameterValue, "order_by names the same field twice: \(text). Give each field once.")
    }
}
