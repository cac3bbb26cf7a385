/// The checks every store applies before writing (reference §3.1–§3.2), with MLflow's messages.
///
/// Values come back checked and, where the policy says so, truncated.
public struct Validation: Sendable {
    /// What to do with over-long param and tag values.
    public var longValues: LongValuePolicy

    public init(longValues: LongValuePolicy = .truncate) {
        self.longValues = longValues
    }

    // MARK: Keys

    /// Checks a metric, param or tag key: the character set, the length limit and the rule that a
    /// key must not resolve to another name when read as a file path.
    public static func validateKey(_ key: String, kind: String = "key") throws {
        guard key.unicodeScalars.allSatisfy(isKeyScalar) else {
            throw LogbookError.invalid(
                "Invalid value \"\(key)\" for parameter '\(kind)' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
            )
        }
        let normalized = normalizePath(key)
        if normalized != key || normalized == "." || normalized.hasPrefix("..") || normalized.hasPrefix("/") {
            throw LogbookError.invalid(
                "Invalid value \"\(key)\" for parameter '\(kind)' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '\(normalized)'"
            )
        }
        if key.count > Limits.maxKeyLength {
            throw LogbookError.invalid(
                "'\(kind)' exceeds the maximum length of \(Limits.maxKeyLength) characters (got \(key.count))."
            )
        }
    }

    private static func isKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true  // 0-9 A-Z a-z
            default: break
            }
        }
        switch scalar {
        case "/", ".", "-", " ", ":", "_": return true
        default: return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
        }
    }

    /// POSIX path normalisation, as Python's `posixpath.normpath`.
    static func normalizePath(_ path: String) -> String {
        if path.isEmpty { return "." }
        var leadingSlashes = path.prefix(while: { $0 == "/" }).count
        if leadingSlashes > 2 { leadingSlashes = 1 }
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) where component != "." {
            let keepsDotDot = (leadingSlashes == 0 && parts.isEmpty) || parts.last == ".."
            if component != ".." || keepsDotDot {
                parts.append(component)
            } else if !parts.isEmpty {
                parts.removeLast()
            }
        }
        let joined = String(repeating: "/", count: leadingSlashes) + parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    // MARK: Entities

    /// Checks a metric point.
    public func validate(_ metric: Metric) throws {
        try Self.validateKey(metric.key, kind: "Metric name")
        try validateTimestamp(metric)
        try Self.validateModelLink(metric)
    }

    /// A point linked to a model or dataset: the dataset needs both name and digest.
    private static func validateModelLink(_ metric: Metric) throws {
        if (metric.datasetName == nil) != (metric.datasetDigest == nil) {
            throw LogbookError.invalid(
                "Both dataset_name and dataset_digest must be provided if one is provided (metric '\(metric.key)').")
        }
        if let modelID = metric.modelID { try validateLoggedModelID(modelID) }
    }

    private func validateTimestamp(_ metric: Metric) throws {
        if metric.timestamp < 0 {
            throw LogbookError.invalid(
                "Invalid value \(metric.timestamp) for metric '\(metric.key)' timestamp: Timestamp must be a nonnegative long (64-bit integer)."
            )
        }
    }

    /// Checks a param and applies the long-value policy to its value.
    public func validated(_ param: Param) throws -> Param {
        try Self.validateKey(param.key, kind: "Param key")
        return Param(key: param.key, value: try limit(param.value, to: Limits.maxParamValueLength, what: "Param value"))
    }

    /// Checks a run tag and applies the long-value policy to its value.
    public func validated(_ tag: RunTag) throws -> RunTag {
        try Self.validateKey(tag.key, kind: "Tag key")
        return RunTag(key: tag.key, value: try limit(tag.value, to: Limits.maxTagValueLength, what: "Tag value"))
    }

    /// Checks an experiment tag (never truncated).
    public static func validate(_ tag: ExperimentTag) throws {
        try validateKey(tag.key, kind: "Experiment tag key")
        if tag.value.count > Limits.maxExperimentTagValueLength {
            throw LogbookError.invalid(
                "'Experiment tag value' exceeds the maximum length of \(Limits.maxExperimentTagValueLength) characters (got \(tag.value.count))."
            )
        }
    }

    /// Checks a dataset input against MLflow's dataset limits: name, digest, source type and
    /// source must be given.
    public static func validate(_ input: DatasetInput) throws {
        let dataset = input.dataset
        let fields: [(String, String?, Int, Bool)] = [
            ("name", dataset.name, Limits.maxDatasetNameLength, true),
            ("digest", dataset.digest, Limits.maxDatasetDigestLength, true),
            ("source_type", dataset.sourceType, .max, true),
            ("source", dataset.source, Limits.maxDatasetSourceLength, true),
            ("schema", dataset.schema, Limits.maxDatasetSchemaLength, false),
            ("profile", dataset.profile, Limits.maxDatasetProfileLength, false),
        ]
        for (name, value, maximum, required) in fields {
            if required, value?.isEmpty ?? true {
                throw LogbookError.invalid("Dataset \(name) must be provided.")
            }
            if let value, value.utf8.count > maximum {
                throw LogbookError.invalid(
                    "Dataset \(name) exceeds the maximum length of \(maximum) (got \(value.utf8.count)).")
            }
        }
        for tag in input.tags {
            if tag.key.isEmpty { throw LogbookError.invalid("Input tag key must be provided.") }
            if tag.key.count > Limits.maxInputTagKeyLength {
                throw LogbookError.invalid(
                    "'Input tag key' exceeds the maximum length of \(Limits.maxInputTagKeyLength) characters (got \(tag.key.count))."
                )
            }
            if tag.value.count > Limits.maxInputTagValueLength {
                throw LogbookError.invalid(
                    "'Input tag value' exceeds the maximum length of \(Limits.maxInputTagValueLength) characters (got \(tag.value.count))."
                )
            }
        }
    }

    private func limit(_ value: String, to maximum: Int, what: String) throws -> String {
        guard value.count > maximum else { return value }
        switch longValues {
        case .truncate:
            return String(value.prefix(maximum))
        case .reject:
            throw LogbookError.invalid(
                "'\(what)' exceeds the maximum length of \(maximum) characters (got \(value.count)). Shorten it, or let the store truncate long values (LOGBOOK_TRUNCATE_LONG_VALUES=true)."
            )
        }
    }

    /// Checks a whole log-batch: every item, the batch limits and duplicate param keys.
    /// Returns the batch with the long-value policy applied. Nothing is written when this throws.
    public func validated(_ batch: RunBatch) throws -> RunBatch {
        // Points of one batch mostly share a few keys: check each key once.
        var checkedKeys = Set<String>()
        var lastKey: String?
        for metric in batch.metrics {
            if metric.key != lastKey, checkedKeys.insert(metric.key).inserted {
                try Self.validateKey(metric.key, kind: "Metric name")
            }
            lastKey = metric.key
            try validateTimestamp(metric)
            if metric.modelID != nil || metric.datasetName != nil || metric.datasetDigest != nil {
                try Self.validateModelLink(metric)
            }
        }
        let params = try batch.params.map(validated)
        let tags = try batch.tags.map(validated)
        if batch.metrics.count > Limits.maxMetricsPerBatch {
            throw LogbookError.invalid(
                "A batch logging request can contain at most \(Limits.maxMetricsPerBatch) metrics. Got \(batch.metrics.count) metrics. Split the batch."
            )
        }
        if params.count > Limits.maxParamsTagsPerBatch {
            throw LogbookError.invalid(
                "A batch logging request can contain at most \(Limits.maxParamsTagsPerBatch) params. Got \(params.count) params. Split the batch."
            )
        }
        if tags.count > Limits.maxParamsTagsPerBatch {
            throw LogbookError.invalid(
                "A batch logging request can contain at most \(Limits.maxParamsTagsPerBatch) tags. Got \(tags.count) tags. Split the batch."
            )
        }
        let total = batch.metrics.count + params.count + tags.count
        if total > Limits.maxEntitiesPerBatch {
            throw LogbookError.invalid(
                "A batch logging request can contain at most \(Limits.maxEntitiesPerBatch) metrics, params and tags in total. Got \(total). Split the batch."
            )
        }
        var seen = Set<String>()
        var duplicates: [String] = []
        for param in params where !seen.insert(param.key).inserted && !duplicates.contains(param.key) {
            duplicates.append(param.key)
        }
        if !duplicates.isEmpty {
            throw LogbookError.invalid(
                "Duplicate parameter keys have been submitted: \(duplicates.map { "'\($0)'" }). Please ensure the request contains only one param value per param key."
            )
        }
        return RunBatch(metrics: batch.metrics, params: params, tags: tags)
    }

    // MARK: Identifiers and names

    /// Checks the shape of a logged model id: `m-` and 32 lowercase hex characters, as MLflow
    /// makes them. (Anything else cannot name a model in this store.)
    public static func validateLoggedModelID(_ modelID: String) throws {
        let hex = modelID.utf8.dropFirst(2)
        guard modelID.hasPrefix("m-"), hex.count == 32,
            hex.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else {
            throw LogbookError(.resourceDoesNotExist, "Logged model with ID '\(modelID)' not found.")
        }
    }

    /// Checks a logged model's name: non-empty, without `/ : . % " '` (MLflow's rule: names
    /// appear in `models:/` and `runs:/` URIs).
    public static func validateLoggedModelName(_ name: String) throws {
        let forbidden: Set<Character> = ["/", ":", ".", "%", "\"", "'"]
        if name.isEmpty || name.contains(where: forbidden.contains) {
            throw LogbookError.invalid(
                "Invalid model name ('\(name)') provided. Model name must be a non-empty string and cannot contain the following characters: ('/', ':', '.', '%', '\"', \"'\")"
            )
        }
    }

    /// Checks a logged model's tag and applies the long-value policy to its value.
    public func validated(_ tag: LoggedModelTag) throws -> LoggedModelTag {
        try Self.validateKey(tag.key, kind: "Tag key")
        return LoggedModelTag(
            key: tag.key, value: try limit(tag.value, to: Limits.maxTagValueLength, what: "Tag value"))
    }

    /// Checks the shape of a run id.
    public static func validateRunID(_ runID: String) throws {
        let scalars = Array(runID.unicodeScalars)
        let valid =
            !scalars.isEmpty && scalars.count <= 256
            && scalars.enumerated().allSatisfy { index, scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9": true
                case "_", "-": index > 0
                default: false
                }
            }
        guard valid else {
            throw LogbookError.invalid("Invalid run ID: '\(runID)'. A run ID is 32 hexadecimal characters.")
        }
    }

    /// Checks an experiment name and returns it.
    public static func validateExperimentName(_ name: String) throws {
        if name.allSatisfy(\.isWhitespace) {
            throw LogbookError.invalid("Invalid experiment name: '\(name)'. An experiment name must not be empty.")
        }
        if name.count > Limits.maxExperimentNameLength {
            throw LogbookError.invalid(
                "Experiment name exceeds the maximum length of \(Limits.maxExperimentNameLength) characters (got \(name.count))."
            )
        }
    }

    /// Checks an experiment artifact location given by a user.
    public static func validateArtifactLocation(_ location: String) throws {
        if location.hasPrefix("runs:") {
            throw LogbookError.invalid(
                "Artifact location cannot be a runs:/ URI. Give a directory or a storage URI instead."
            )
        }
        if location.count > Limits.maxArtifactLocationLength {
            throw LogbookError.invalid(
                "Artifact location exceeds the maximum length of \(Limits.maxArtifactLocationLength) characters."
            )
        }
    }

    /// Parses an experiment id: stores number experiments with integers.
    public static func experimentNumber(_ id: String) throws -> Int64 {
        guard let number = Int64(id), number >= 0 else {
            throw LogbookError.invalid("Invalid experiment ID '\(id)'. Experiment ID must be a valid integer.")
        }
        return number
    }

    /// Checks a page size.
    public static func validateMaxResults(_ maxResults: Int) throws {
        guard (1...Limits.maxResultsThreshold).contains(maxResults) else {
            throw LogbookError.invalid(
                "Invalid value \(maxResults) for parameter 'max_results' supplied. It must be between 1 and \(Limits.maxResultsThreshold)."
            )
        }
    }

    /// Checks a metric history's page size (any positive number).
    public static func validateHistoryMaxResults(_ maxResults: Int) throws {
        guard maxResults > 0 else {
            throw LogbookError.invalid(
                "Invalid value \(maxResults) for parameter 'max_results' supplied. It must be a positive number.")
        }
    }
}
