import LogbookCore

/// Where a keyset paging session is: the search it belongs to (a fingerprint, so a token is only
/// used with the search it came from), the part of the order the last item shown was in (see
/// ``RunSearchSQL/parts(_:experiments:viewType:)``; 0 for single-part searches) and its sort keys.
/// Items created or deleted between pages never make a page repeat or skip one.
public struct KeysetPosition: Codable, Sendable {
    public var search: String
    public var part: Int
    public var after: [SQLValue?]

    public init(search: String, part: Int = 0, after: [SQLValue?]) {
        self.search = search
        self.part = part
        self.after = after
    }

    /// The position a page token holds, checked against the search it is used with.
    public static func decode(_ token: String?, search: String, sameAs what: String) throws -> KeysetPosition? {
        guard let token else { return nil }
        let position = try PageToken.decode(token, as: KeysetPosition.self)
        guard position.search == search else {
            throw LogbookError(
                .invalidParameterValue,
                "The page token belongs to another search. Pass the same \(what) as the first page.")
        }
        return position
    }

    /// A stable name for a search.
    public static func fingerprint(_ parts: [String]) -> String {
        let text = parts.joined(separator: "|")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

extension ViewType {
    /// The lifecycle stages of this view as an SQL list: `'active', 'deleted'`.
    public var sqlStages: String {
        stages.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}

/// One part of a run search's order: what to select from, the condition, and a total order.
public struct MatchPart: Sendable {
    public var from: SQLFragment
    public var condition: SQLFragment
    public var keys: [SortKey]
}

extension RunSearchSQL {
    /// The parts whose results, one after the other, are every run the search matches in order.
    ///
    /// Ordered by a metric first, the matches come in three parts: runs with a number for it,
    /// walked in value order through the `metric_series_by_value` index (so a page stops early
    /// instead of sorting every run), then runs where it is NaN, then runs without it.
    public func parts(_ search: RunSearch, experiments: [Int64], viewType: ViewType) -> [MatchPart] {
        var conditions = [
            SQLFragment(
                "r.experiment_id IN (\(experiments.map(String.init).joined(separator: ",")))"
                    + " AND r.lifecycle_stage IN (\(viewType.sqlStages))")
        ]
        if let filter = search.filter { conditions.append(condition(filter)) }
        let condition = SQLFragment(
            conditions.map { "(\($0.sql))" }.joined(separator: " AND "), conditions.flatMap(\.arguments))

        guard let first = search.orderBy.first, case .metric(let key) = first.field else {
            let (joins, keys) = ordering(search.orderBy)
            return [
                MatchPart(from: SQLFragment("runs r \(joins.sql)", joins.arguments), condition: condition, keys: keys)
            ]
        }
        let (joins, keys) = ordering(Array(search.orderBy.dropFirst()))
        // SQLite's planner needs the hint; PostgreSQL's finds the index by itself.
        let series = dialect == .sqlite ? "metric_series d INDEXED BY metric_series_by_value" : "metric_series d"
        func part(nan: Bool) -> MatchPart {
            MatchPart(
                from: SQLFragment("\(series) JOIN runs r ON r.run_key = d.run_key \(joins.sql)", joins.arguments),
                condition: SQLFragment(
                    "d.key = ? AND d.is_nan = \(nan ? 1 : 0) AND \(condition.sql)", [.text(key)] + condition.arguments),
                keys: (nan ? [] : [SortKey(SQLFragment("d.value"), ascending: first.ascending)]) + keys)
        }
        let missing = MatchPart(
            from: SQLFragment("runs r \(joins.sql)", joins.arguments),
            condition: SQLFragment(
                "NOT EXISTS (SELECT 1 FROM metric_series x WHERE x.run_key = r.run_key AND x.key = ?) AND \(condition.sql)",
                [.text(key)] + condition.arguments),
            keys: keys)
        return [part(nan: false), part(nan: true), missing]
    }

    /// The fingerprint of a run search, for its page tokens.
    public static func fingerprint(
        experiments: [Int64], filter: String?, viewType: ViewType, orderBy: [String]
    ) -> String {
        KeysetPosition.fingerprint(["\(experiments)", viewType.rawValue, filter ?? "", "\(orderBy)"])
    }
}

extension ExperimentSearchSQL {
    /// A page of experiments (`id, s0, s1, …`) in `viewType` matching `search`, after a position.
    public func query(_ search: ExperimentSearch, viewType: ViewType, after: [SQLValue?]?, limit: Int)
        -> SQLFragment
    {
        let stages = SQLFragment("e.lifecycle_stage IN (\(viewType.sqlStages))")
        let condition =
            search.filter.map { filter in
                let test = self.condition(filter)
                return SQLFragment(stages.sql + " AND (\(test.sql))", test.arguments)
            } ?? stages
        return Keyset.query(
            id: "e.experiment_id", keys: ordering(search.orderBy), from: SQLFragment("experiments e"),
            condition: condition, after: after, limit: limit)
    }

    /// The fingerprint of an experiment search, for its page tokens.
    public static func fingerprint(filter: String?, viewType: ViewType, orderBy: [String]) -> String {
        RunSearchSQL.fingerprint(experiments: [], filter: filter, viewType: viewType, orderBy: orderBy)
    }
}

extension LoggedModelSearchSQL {
    /// Every active model the search matches, in order, after a position: `id, s0, s1, …`.
    public func query(_ search: LoggedModelSearch, experiments: [Int64], after: [SQLValue?]?, limit: Int)
        -> SQLFragment
    {
        var condition = SQLFragment(
            "lm.experiment_id IN (\(experiments.map(String.init).joined(separator: ","))) AND lm.lifecycle_stage = 'active'"
        )
        if let filter = self.condition(search) {
            condition = SQLFragment("\(condition.sql) AND \(filter.sql)", filter.arguments)
        }
        let (keys, joins) = ordering(search.orderBy)
        return Keyset.query(
            id: "lm.model_key", keys: keys, from: SQLFragment("logged_models lm \(joins.sql)", joins.arguments),
            condition: condition, after: after, limit: limit)
    }

    /// The fingerprint of a logged-model search, for its page tokens.
    public static func fingerprint(
        experiments: [Int64], filter: String?, datasets: [LoggedModelDataset], orderBy: [LoggedModelOrder]
    ) -> String {
        RunSearchSQL.fingerprint(
            experiments: experiments, filter: "\(filter ?? "")|\(datasets.map { "\($0.name)/\($0.digest ?? "")" })",
            viewType: .activeOnly,
            orderBy: orderBy.map { "\($0.field) \($0.ascending) \($0.datasetName ?? "") \($0.datasetDigest ?? "")" })
    }
}
