import LogbookCore

/// Random runs, filters and orders for differential tests of run search: what the stores answer
/// is compared with ``SearchEvaluator`` (docs/search.md's semantics evaluated in memory) and
/// with each other. A failure names its seed: `LOGBOOK_TEST_SEED=<seed>` replays it.
public enum SearchWorkload {
    /// Values chosen to collide: LIKE/GLOB metacharacters, case variants, empty strings, NaN, ±∞.
    public static let strings = ["a", "A", "ab", "a%b", "a_b", "x*y", "[z]", "q?", "", "abc", "ABC", "b", "10", "9"]
    public static let numbers: [Double] = [0, -1, 1, 0.5, 2.5, 1e3, -0.0, .nan, .infinity, -.infinity, 0.5]

    // MARK: Data

    /// 40 runs in experiment 0 with colliding names, params, tags, metrics and times.
    public static func makeRuns(_ store: any TrackingStore, _ random: inout SeededGenerator) async throws -> [Run] {
        var ids: [String] = []
        for index in 0..<40 {
            let creation = RunCreation(
                experimentID: "0", runName: random.pick(strings + ["run-\(index)"]),
                userID: random.pick(["ann", "bo", ""]),
                startTime: 1_000 + Int64(random.int(0...15)) * 100)  // ties on start time are common
            let run = try await store.createRun(creation)
            var batch = RunBatch()
            for key in ["m1", "m2"] where random.chance(0.75) {
                for step in 0..<random.int(1...3) {
                    batch.metrics.append(
                        Metric(key: key, value: random.pick(numbers), timestamp: 5, step: Int64(step)))
                }
            }
            for key in ["p1", "p2"] where random.chance(0.7) {
                batch.params.append(Param(key: key, value: random.pick(strings)))
            }
            for key in ["t1", "t2"] where random.chance(0.6) {
                batch.tags.append(RunTag(key: key, value: random.pick(strings)))
            }
            try await store.logBatch(runID: run.id, batch)
            if random.chance(0.6) {
                let status = random.pick([RunStatus.finished, .failed, .killed])
                _ = try await store.updateRun(
                    id: run.id, RunUpdate(status: status, endTime: run.info.startTime + Int64(random.int(0...5)) * 50))
            }
            ids.append(run.id)
        }
        var runs: [Run] = []
        for id in ids { runs.append(try await store.run(id: id)) }
        return runs
    }

    // MARK: Filters

    public static func filter(_ random: inout SeededGenerator, runs: [Run]) -> String? {
        if random.chance(0.1) { return nil }
        return expression(&random, runs: runs, depth: 0)
    }

    static func expression(_ random: inout SeededGenerator, runs: [Run], depth: Int) -> String {
        let count = depth > 1 ? 1 : random.int(1...3)
        let parts = (0..<count).map { _ in
            depth < 2 && random.chance(0.25)
                ? "(" + expression(&random, runs: runs, depth: depth + 1) + ")"
                : comparison(&random, runs: runs)
        }
        var text = parts[0]
        for part in parts.dropFirst() { text += random.pick([" AND ", " OR ", " and ", " or "]) + part }
        return text
    }

    static func comparison(_ random: inout SeededGenerator, runs: [Run]) -> String {
        switch random.int(0...5) {
        case 0:
            let value = random.pick(["0", "-1", "1", "0.5", "2.5", "1e3", "1000", "-0.5"])
            return "metrics.\(random.pick(["m1", "m2"])) \(random.pick(["=", "!=", ">", ">=", "<", "<="])) \(value)"
        case 1, 2:
            let field = random.pick(["params.p1", "params.p2", "tags.t1", "tags.t2"])
            return field + " " + stringCondition(&random, nullable: true)
        case 3:
            let field = random.pick(["run_name", "attributes.run_name", "user_id", "status"])
            if field == "status" {
                return "status "
                    + random.pick(["= 'RUNNING'", "!= 'FINISHED'", "IN ('FAILED', 'KILLED')", "LIKE '%ED'"])
            }
            return field + " " + stringCondition(&random, nullable: false)
        case 4:
            let ids = (0..<random.int(1...3)).map { _ in "'\(random.pick(runs).id)'" }
            return "run_id \(random.pick(["IN", "NOT IN"])) (\(ids.joined(separator: ", ")))"
        default:
            let value = random.int(9...17) * 100 + random.pick([0, 50, 250])
            let field = random.pick(["start_time", "end_time", "duration", "created"])
            let number = field == "duration" ? value % 300 : value
            return "\(field) \(random.pick(["=", "!=", ">", ">=", "<", "<="])) \(number)"
        }
    }

    static func stringCondition(_ random: inout SeededGenerator, nullable: Bool) -> String {
        func quoted(_ text: String) -> String { random.chance(0.5) ? "'\(text)'" : "\"\(text)\"" }
        let patterns = ["a%", "%b", "a_b", "%", "_", "A%", "x*%", "[z]", "%?", "a\\%b", "%b%", ""]
        switch random.int(0...(nullable ? 6 : 4)) {
        case 0: return "= " + quoted(random.pick(strings))
        case 1: return "!= " + quoted(random.pick(strings))
        case 2: return random.pick(["LIKE ", "ILIKE "]) + quoted(random.pick(patterns + strings))
        case 3, 4:
            let items = (0..<random.int(1...3)).map { _ in quoted(random.pick(strings)) }
            return random.pick(["IN ", "NOT IN "]) + "(" + items.joined(separator: ", ") + ")"
        case 5: return "IS NULL"
        default: return "IS NOT NULL"
        }
    }

    public static func orderBy(_ random: inout SeededGenerator) -> [String] {
        let fields = [
            "metrics.m1", "metrics.m2", "params.p1", "tags.t1", "run_name", "start_time", "end_time", "duration",
            "status", "user_id",
        ]
        var chosen: [String] = []
        for _ in 0..<random.int(0...2) {
            let field = random.pick(fields)
            if !chosen.contains(where: { $0.hasPrefix(field + " ") || $0 == field }) {
                chosen.append(field + random.pick(["", " ASC", " DESC", " asc", " desc"]))
            }
        }
        return chosen
    }
}

/// The documented semantics of run search, evaluated the plain way, one run at a time.
public enum SearchEvaluator {
    public static func search(_ runs: [Run], _ search: RunSearch) -> [Run] {
        let matching = runs.filter { run in search.filter.map { matches($0, run) } ?? true }
        return matching.sorted { before($0, $1, search.orderBy) }
    }

    static func matches(_ expression: FilterExpression<RunField>, _ run: Run) -> Bool {
        switch expression {
        case .comparison(let comparison): matches(comparison, run)
        case .all(let parts): parts.allSatisfy { matches($0, run) }
        case .any(let parts): parts.contains { matches($0, run) }
        }
    }

    enum Value {
        case number(Double)
        case string(String)
    }

    static func value(_ field: RunField, _ run: Run) -> Value? {
        switch field {
        case .metric(let key): run.data.metric(key).map(Value.number)
        case .param(let key): run.data.param(key).map(Value.string)
        case .tag(let key): run.data.tag(key).map(Value.string)
        case .dataset: nil
        case .attribute(let attribute):
            switch attribute {
            case .runID: .string(run.id)
            case .runName: .string(run.info.runName)
            case .userID: .string(run.info.userID)
            case .status: .string(run.info.status.rawValue)
            case .artifactURI: .string(run.info.artifactURI)
            case .startTime: .number(Double(run.info.startTime))
            case .endTime: run.info.endTime.map { .number(Double($0)) }
            case .duration: run.info.endTime.map { .number(Double($0 - run.info.startTime)) }
            }
        }
    }

    static func matches(_ comparison: Comparison<RunField>, _ run: Run) -> Bool {
        let found = value(comparison.field, run)
        switch comparison.comparator {
        case .isNull: return found == nil
        case .isNotNull: return found != nil
        default: break
        }
        switch (found, comparison.value) {
        case (.number(let number)?, .number(let bound)):
            switch comparison.comparator {
            case .equal: return number == bound
            case .notEqual: return number != bound
            case .greater: return number > bound
            case .greaterOrEqual: return number >= bound
            case .less: return number < bound
            case .lessOrEqual: return number <= bound
            default: return false
            }
        case (.string(let text)?, .string(let operand)):
            switch comparison.comparator {
            case .equal: return text == operand
            case .notEqual: return text != operand
            case .like: return like(Array(text.utf8), Array(operand.utf8), ignoringCase: false)
            case .ilike: return like(Array(text.utf8), Array(operand.utf8), ignoringCase: true)
            default: return false
            }
        case (.string(let text)?, .list(let items)):
            return comparison.comparator == .in ? items.contains(text) : !items.contains(text)
        default:
            return false
        }
    }

    /// SQL's LIKE: `%` any run of bytes, `_` one character; ASCII case folded when asked.
    static func like(_ text: [UInt8], _ pattern: [UInt8], ignoringCase: Bool) -> Bool {
        func fold(_ byte: UInt8) -> UInt8 { ignoringCase && (65...90).contains(byte) ? byte + 32 : byte }
        let characters = Array(String(decoding: text, as: UTF8.self).unicodeScalars).map { String($0) }
        let tokens = Array(String(decoding: pattern, as: UTF8.self).unicodeScalars).map { String($0) }
        func same(_ a: String, _ b: String) -> Bool { a.utf8.map(fold) == b.utf8.map(fold) }
        func match(_ t: Int, _ p: Int) -> Bool {
            if p == tokens.count { return t == characters.count }
            if tokens[p] == "%" { return (t...characters.count).contains { match($0, p + 1) } }
            guard t < characters.count else { return false }
            return (tokens[p] == "_" || same(characters[t], tokens[p])) && match(t + 1, p + 1)
        }
        return match(0, 0)
    }

    /// The documented order: the terms (missing values last either way, NaN after numbers), then
    /// start time descending unless ordered by it, then run id.
    static func before(_ a: Run, _ b: Run, _ terms: [OrderTerm<RunField>]) -> Bool {
        var terms = terms
        if !terms.contains(where: { $0.field == .attribute(.startTime) }) {
            terms.append(OrderTerm(field: .attribute(.startTime), ascending: false))
        }
        terms.append(OrderTerm(field: .attribute(.runID), ascending: true))
        for term in terms {
            let order = compare(value(term.field, a), value(term.field, b), ascending: term.ascending)
            if order != 0 { return order < 0 }
        }
        return false
    }

    /// -1 when `a` goes first.
    static func compare(_ a: Value?, _ b: Value?, ascending: Bool) -> Int {
        func rank(_ value: Value?) -> Int {
            switch value {
            case nil: 2
            case .number(let number)? where number.isNaN: 1
            default: 0
            }
        }
        let (rankA, rankB) = (rank(a), rank(b))
        if rankA != rankB { return rankA < rankB ? -1 : 1 }
        var order = 0
        switch (a, b) {
        case (.number(let x)?, .number(let y)?) where !x.isNaN && !y.isNaN: order = x < y ? -1 : x > y ? 1 : 0
        case (.string(let x)?, .string(let y)?): order = x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : x == y ? 0 : 1
        default: order = 0
        }
        return ascending ? order : -order
    }
}
