/// A parsed `registered-models/search`: filter on `name` (`=`, `!=`, `LIKE`, `ILIKE`, `IN`,
/// `NOT IN`) and `tags.<key>`; order by `name`, `last_updated_timestamp` (or `timestamp`) and
/// `creation_timestamp`, then by name. Beyond MLflow: OR and parentheses (as in run search),
/// ordering by creation time (MLflow's SQL store refuses it).
public struct RegisteredModelSearch: Sendable, Hashable {
    /// The largest page `registered-models/search` serves; its default is 100.
    public static let maxResultsLimit = 1000
    public static let defaultMaxResults = 100

    public var filter: FilterExpression<RegistryField>?
    public var orderBy: [OrderTerm<RegistryField>]

    public init(filter: String? = nil, orderBy: [String] = []) throws {
        self.filter = try FilterParser<RegisteredModelGrammar>.filter(filter)
        self.orderBy = try orderBy.filter { !$0.allSatisfy(\.isWhitespace) }.map {
            try FilterParser<RegisteredModelGrammar>.orderTerm($0)
        }
        try requireDistinctFields(self.orderBy, orderBy)
    }

    /// Checks a page size as MLflow does.
    public static func validate(maxResults: Int) throws {
        guard (1...maxResultsLimit).contains(maxResults) else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid value \(maxResults) for parameter 'max_results' supplied. It must be between 1 and \(maxResultsLimit)."
            )
        }
    }
}

/// A parsed `model-versions/search`: filter on `name`, `run_id` (`=`, `!=`, `LIKE`, `ILIKE`, `IN`,
/// `NOT IN`), `source_path` (`=`, `!=`, `LIKE`, `ILIKE`), `version_number` (numeric comparisons;
/// a quoted number is fine) and `tags.<key>`; order by `name`, `version_number`,
/// `creation_timestamp`, `last_updated_timestamp`, then last updated first, name, version
/// descending. Deleted versions never match.
public struct ModelVersionSearch: Sendable, Hashable {
    /// The largest page `model-versions/search` serves, which is also its default.
    public static let maxResultsLimit = 200_000

    public var filter: FilterExpression<RegistryField>?
    public var orderBy: [OrderTerm<RegistryField>]

    public init(filter: String? = nil, orderBy: [String] = []) throws {
        self.filter = try FilterParser<ModelVersionGrammar>.filter(filter)
        self.orderBy = try orderBy.filter { !$0.allSatisfy(\.isWhitespace) }.map {
            try FilterParser<ModelVersionGrammar>.orderTerm($0)
        }
        try requireDistinctFields(self.orderBy, orderBy)
    }

    /// Checks a page size as MLflow does.
    public static func validate(maxResults: Int) throws {
        guard maxResults >= 1 else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid value for max_results. It must be a positive integer, but got \(maxResults)")
        }
        guard maxResults <= maxResultsLimit else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid value for max_results. It must be at most \(maxResultsLimit), but got \(maxResults)")
        }
    }
}

/// What a registry filter or order can refer to.
public enum RegistryField: Sendable, Hashable {
    case attribute(RegistryAttribute)
    case tag(String)
}

/// The searchable attributes of registered models and versions.
public enum RegistryAttribute: String, Sendable, Hashable, CaseIterable {
    case name
    case runID = "run_id"
    case source = "source_path"
    case version = "version_number"
    case creationTime = "creation_timestamp"
    case lastUpdatedTime = "last_updated_timestamp"

    /// The attribute a name means, with the spellings clients use (`timestamp`, `source`).
    init?(name: String) {
        switch name {
        case "timestamp", "last_updated_time": self = .lastUpdatedTime
        case "creation_time": self = .creationTime
        case "source": self = .source
        case "version": self = .version
        default: self.init(rawValue: name)
        }
    }

    public var isNumeric: Bool { self == .version || self == .creationTime || self == .lastUpdatedTime }
}

/// Shared by both registry grammars: which attributes a filter and an order may name.
protocol RegistryGrammar: SearchGrammar where Field == RegistryField {
    static var filterable: [RegistryAttribute] { get }
    static var orderable: [RegistryAttribute] { get }
}

extension RegistryGrammar {
    static func field(entity: String?, key: String) throws(GrammarError) -> RegistryField {
        switch entity?.lowercased() {
        case "tag", "tags": return .tag(key)
        case nil, "attribute", "attributes":
            guard let attribute = RegistryAttribute(name: key) else {
                throw GrammarError(
                    "Invalid attribute key '\(key)' specified. Valid keys are '{\(filterable.map { "'\($0.rawValue)'" }.joined(separator: ", "))}'"
                )
            }
            return .attribute(attribute)
        default:
            throw GrammarError("Invalid entity type '\(entity ?? "")'. Valid values are ['tag', 'attribute']")
        }
    }

    static func check(_ comparison: Comparison<RegistryField>) throws(GrammarError) {
        switch comparison.field {
        case .tag(let key):
            try requireString(comparison, "tag '\(key)'", allowingNull: true)
        case .attribute(let attribute):
            guard filterable.contains(attribute) else {
                throw GrammarError(
                    "Invalid attribute key '\(attribute.rawValue)' specified. Valid keys are '{\(filterable.map { "'\($0.rawValue)'" }.joined(separator: ", "))}'"
                )
            }
            if attribute == .version {
                guard Comparator.numeric.contains(comparison.comparator) else {
                    throw GrammarError("Invalid comparator for attribute: \(comparison.comparator.rawValue)")
                }
                switch comparison.value {
                case .number(let number) where number.rounded() == number: return
                case .string(let text) where Int64(text) != nil: return
                default: throw GrammarError("version_number takes an integer, e.g. version_number > 2")
                }
            }
            let allowed: Set<Comparator> =
                attribute == .source ? [.equal, .notEqual, .like, .ilike] : Comparator.string
            guard allowed.contains(comparison.comparator) else {
                throw GrammarError("Invalid comparator for attribute: \(comparison.comparator.rawValue)")
            }
            try requireString(comparison, "attribute '\(attribute.rawValue)'", allowingNull: false)
        }
    }

    static func checkOrderable(_ field: RegistryField, key: String) throws(GrammarError) {
        guard case .attribute(let attribute) = field, orderable.contains(attribute) else {
            throw GrammarError(
                "Invalid order by key '\(key)' specified. Valid keys are '{\(orderable.map { "'\($0.rawValue)'" }.joined(separator: ", "))}'"
            )
        }
    }
}

enum RegisteredModelGrammar: RegistryGrammar {
    static let filterable: [RegistryAttribute] = [.name]
    static let orderable: [RegistryAttribute] = [.name, .lastUpdatedTime, .creationTime]
}

enum ModelVersionGrammar: RegistryGrammar {
    static let filterable: [RegistryAttribute] = [.name, .version, .runID, .source]
    static let orderable: [RegistryAttribute] = [.name, .version, .creationTime, .lastUpdatedTime]
}
