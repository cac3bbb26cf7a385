/// A parsed logged-model search (`logged-models/search`, `mlflow.search_logged_models`).
///
/// ```swift
/// let search = try LoggedModelSearch(
///     filter: "metrics.accuracy > 0.9 AND name = 'model'",
///     orderBy: [LoggedModelOrder(field: "metrics.accuracy", ascending: false)])
/// ```
///
/// As in MLflow 3: attributes (`name`, `model_id`, `model_type`, `status`, `source_run_id`,
/// `creation_timestamp`, `last_updated_timestamp`, …), `metrics.<key>` (a model matches when any
/// point logged for it compares; `datasets` narrows which points count), `params.<key>` and
/// `tags.<key>`. Beyond MLflow: OR and parentheses, IS NULL for params and tags, status by its
/// short name (`status = 'READY'`), and ordering by params, tags and every attribute.
public struct LoggedModelSearch: Sendable, Hashable {
    /// `nil` matches every model.
    public var filter: FilterExpression<LoggedModelField>?
    /// Only metric points measured on one of these datasets count (empty: every point).
    public var datasets: [LoggedModelDataset]
    /// The order asked for, without the implied tie-breakers (creation time descending, then id).
    public var orderBy: [Order]

    /// One parsed order term: a metric term can be narrowed to one dataset.
    public struct Order: Sendable, Hashable {
        public var field: LoggedModelField
        public var ascending: Bool
        public var dataset: LoggedModelDataset?
    }

    public init(filter: String? = nil, datasets: [LoggedModelDataset] = [], orderBy: [LoggedModelOrder] = []) throws {
        self.filter = try FilterParser<LoggedModelGrammar>.filter(filter)
        for dataset in datasets where dataset.name.isEmpty {
            throw LogbookError(.invalidParameterValue, "`dataset_name` in the `datasets` clause must be specified.")
        }
        self.datasets = datasets
        self.orderBy = try orderBy.map { order in
            guard !order.field.isEmpty else {
                throw LogbookError(
                    .invalidParameterValue, "Invalid order by field name: an order_by term needs a field_name.")
            }
            let term = try FilterParser<LoggedModelGrammar>.orderTerm(order.field)
            return Order(
                field: term.field, ascending: order.ascending,
                dataset: order.datasetName.map { LoggedModelDataset(name: $0, digest: order.datasetDigest) })
        }
        try requireDistinctFields(
            self.orderBy.map { OrderTerm(field: $0.field, ascending: $0.ascending) }, orderBy.map(\.field))
    }
}

/// A dataset that logged-model metrics were measured on: by name, and digest when given.
public struct LoggedModelDataset: Sendable, Hashable, Codable {
    public var name: String
    public var digest: String?

    public init(name: String, digest: String? = nil) {
        self.name = name
        self.digest = digest
    }
}

/// One `order_by` term of a logged-model search, as MLflow sends it: a field, a direction and,
/// for a metric, optionally the dataset whose points count.
public struct LoggedModelOrder: Sendable, Hashable, Codable {
    /// `metrics.<key>`, `params.<key>`, `tags.<key>` or an attribute such as `creation_timestamp`.
    public var field: String
    public var ascending: Bool
    public var datasetName: String?
    public var datasetDigest: String?

    public init(field: String, ascending: Bool = true, datasetName: String? = nil, datasetDigest: String? = nil) {
        self.field = field
        self.ascending = ascending
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
    }
}

/// What a logged-model filter or order can refer to.
public enum LoggedModelField: Sendable, Hashable {
    /// Any point logged for the model (filters); the latest point (order).
    case metric(String)
    case param(String)
    case tag(String)
    case attribute(LoggedModelAttribute)
}

/// The searchable attributes of a logged model.
public enum LoggedModelAttribute: String, Sendable, Hashable, CaseIterable {
    case modelID = "model_id"
    case experimentID = "experiment_id"
    case name
    case modelType = "model_type"
    case status
    case sourceRunID = "source_run_id"
    case artifactLocation = "artifact_location"
    case creationTime = "creation_timestamp"
    case lastUpdatedTime = "last_updated_timestamp"

    /// The attribute a name means, MLflow's aliases included (`creation_time`, `…_ms`).
    init?(name: String) {
        switch name {
        case "creation_time", "creation_timestamp_ms": self = .creationTime
        case "last_updated_timestamp_ms", "last_update_time", "last_updated_time": self = .lastUpdatedTime
        case "artifact_uri": self = .artifactLocation
        default: self.init(rawValue: name)
        }
    }

    /// Whether values are numbers (milliseconds) rather than strings.
    public var isNumeric: Bool { self == .creationTime || self == .lastUpdatedTime }
}

enum LoggedModelGrammar: SearchGrammar {
    static func field(entity: String?, key: String) throws(GrammarError) -> LoggedModelField {
        switch entity?.lowercased() {
        case nil, "attribute", "attributes":
            guard let attribute = LoggedModelAttribute(name: key) else {
                throw GrammarError(
                    "'\(key)' is not a searchable attribute of logged models; use one of \(LoggedModelAttribute.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return .attribute(attribute)
        case "metric", "metrics": return .metric(key)
        case "param", "params", "parameter", "parameters": return .param(key)
        case "tag", "tags": return .tag(key)
        default:
            throw GrammarError(
                "Invalid entity type: '\(entity ?? "")'. Expected one of attributes, metrics, params, tags.")
        }
    }

    static func check(_ comparison: Comparison<LoggedModelField>) throws(GrammarError) {
        switch comparison.field {
        case .metric(let key):
            try requireNumber(comparison, "metric '\(key)'")
        case .attribute(let attribute) where attribute.isNumeric:
            try requireNumber(comparison, "attribute '\(attribute.rawValue)'")
        case .attribute(.status):
            try requireString(comparison, "attribute 'status'", allowingNull: false)
            let names: [String]
            switch comparison.value {
            case .string(let name) where comparison.comparator == .equal || comparison.comparator == .notEqual:
                names = [name]
            case .list(let list): names = list
            default: names = []
            }
            for name in names where LoggedModelStatus(name: name) == nil {
                throw GrammarError("'\(name)' is not a logged model status; use PENDING, READY or FAILED")
            }
        case .attribute(let attribute):
            try requireString(comparison, "attribute '\(attribute.rawValue)'", allowingNull: attribute.isOptional)
        case .param(let key):
            try requireString(comparison, "param '\(key)'", allowingNull: true)
        case .tag(let key):
            try requireString(comparison, "tag '\(key)'", allowingNull: true)
        }
    }

    static func checkOrderable(_ field: LoggedModelField, key: String) throws(GrammarError) {}
}

extension LoggedModelAttribute {
    /// Whether a model may lack the attribute (IS NULL applies).
    public var isOptional: Bool { self == .modelType || self == .sourceRunID }
}
