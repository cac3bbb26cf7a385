import LogbookCore
import LogbookTesting
import Testing

@Suite("Run filter grammar")
struct FilterParserTests {
    private func parse(_ filter: String) throws -> FilterExpression<RunField>? {
        try RunSearch(filter: filter).filter
    }

    private func comparison(_ filter: String) throws -> Comparison<RunField> {
        guard case .comparison(let comparison)? = try parse(filter) else {
            Issue.record("\(filter) is not a single comparison")
            throw LogbookError(.internalError, "not a comparison")
        }
        return comparison
    }

    @Test func emptyFilterMatchesEverything() throws {
        #expect(try parse("") == nil)
        #expect(try parse("   ") == nil)
        #expect(try RunSearch(filter: nil).filter == nil)
    }

    @Test(arguments: [
        ("metrics.acc > 0.9", RunField.metric("acc")), ("metric.acc > 0.9", .metric("acc")),
        ("params.lr = '0.1'", .param("lr")), ("param.lr = '0.1'", .param("lr")),
        ("parameters.lr = '0.1'", .param("lr")), ("parameter.lr = '0.1'", .param("lr")),
        ("tags.team = 'a'", .tag("team")), ("tag.team = 'a'", .tag("team")),
        ("attributes.status = 'FINISHED'", .attribute(.status)), ("attribute.status = 'FINISHED'", .attribute(.status)),
        ("attr.status = 'FINISHED'", .attribute(.status)), ("run.status = 'FINISHED'", .attribute(.status)),
        ("status = 'FINISHED'", .attribute(.status)), ("run_name = 'x'", .attribute(.runName)),
        ("run_id = 'x'", .attribute(.runID)), ("user_id = 'x'", .attribute(.userID)),
        ("artifact_uri = 'x'", .attribute(.artifactURI)), ("start_time > 5", .attribute(.startTime)),
        ("end_time > 5", .attribute(.endTime)), ("created > 5", .attribute(.startTime)),
        ("Created > 5", .attribute(.startTime)), ("attributes.`run name` = 'x'", .attribute(.runName)),
        ("`Run Name` = 'x'", .attribute(.runName)), ("datasets.name = 'd'", .dataset("name")),
        ("dataset.digest = 'd'", .dataset("digest")), ("datasets.context = 'train'", .dataset("context")),
    ])
    func entityPrefixesAndAliases(filter: String, field: RunField) throws {
        #expect(try comparison(filter).field == field)
    }

    @Test func keysAreSplitAtTheFirstDotAndMayBeQuoted() throws {
        #expect(try comparison("tags.a.b = 'x'").field == .tag("a.b"))
        #expect(try comparison("metrics.`my metric/x-1` < 1").field == .metric("my metric/x-1"))
        #expect(try comparison("params.\"my param\" = 'v'").field == .param("my param"))
    }

    @Test(arguments: ["=", "!=", ">", ">=", "<", "<="])
    func metricsTakeNumericComparators(symbol: String) throws {
        let parsed = try comparison("metrics.acc \(symbol) 0.5")
        #expect(parsed.comparator.rawValue == symbol)
        #expect(parsed.value == .number(0.5))
    }

    @Test func numbersInEveryNotation() throws {
        #expect(try comparison("metrics.a > -1.5").value == .number(-1.5))
        #expect(try comparison("metrics.a > 1e-05").value == .number(1e-05))
        #expect(try comparison("metrics.a > 3").value == .number(3))
        #expect(try comparison("metrics.a > .5").value == .number(0.5))
        #expect(try comparison("start_time >= 1700000000000").value == .number(1_700_000_000_000))
    }

    @Test(arguments: [
        ("=", Comparator.equal), ("!=", .notEqual), ("<>", .notEqual), ("LIKE", .like), ("like", .like),
        ("ILIKE", .ilike), ("iLike", .ilike),
    ])
    func stringComparators(symbol: String, comparator: Comparator) throws {
        #expect(try comparison("params.opt \(symbol) 'adam%'").comparator == comparator)
        #expect(try comparison("tags.t \(symbol) 'x'").comparator == comparator)
        #expect(try comparison("run_name \(symbol) 'x'").comparator == comparator)
    }

    @Test func nullTests() throws {
        #expect(try comparison("params.lr IS NULL").comparator == .isNull)
        #expect(try comparison("tags.t is not null").comparator == .isNotNull)
        #expect(try comparison("params.lr IS NULL").value == FilterValue.none)
    }

    @Test func inLists() throws {
        let parsed = try comparison("run_id IN ('a', \"b\",'c')")
        #expect(parsed.comparator == .in)
        #expect(parsed.value == .list(["a", "b", "c"]))
        #expect(try comparison("attributes.run_id NOT IN ('a')").comparator == .notIn)
        #expect(try comparison("params.opt IN ('adam', 'sgd')").field == .param("opt"), "beyond MLflow")
        #expect(try comparison("tags.t not in ('x')").comparator == .notIn, "beyond MLflow")
        #expect(try comparison("status IN ('FINISHED', 'FAILED')").field == .attribute(.status), "beyond MLflow")
    }

    @Test func quotesAreStrippedWithoutEscapes() throws {
        #expect(try comparison("tags.a = \"It's\"").value == .string("It's"))
        #expect(try comparison("tags.a = 'say \"hi\"'").value == .string("say \"hi\""))
        #expect(try comparison("params.p = ''").value == .string(""))
    }

    @Test func andBindsTighterThanOr() throws {
        let parsed = try parse("metrics.a > 1 and metrics.b > 2 OR metrics.c > 3")
        guard case .any(let alternatives)? = parsed else {
            Issue.record("expected OR at the top: \(String(describing: parsed))")
            return
        }
        #expect(alternatives.count == 2)
        if case .all(let terms) = alternatives[0] { #expect(terms.count == 2) } else { Issue.record("AND first") }
    }

    @Test func parenthesesGroup() throws {
        let parsed = try parse("metrics.a > 1 AND (params.p = 'x' OR params.p = 'y')")
        guard case .all(let terms)? = parsed, case .any(let inner) = terms[1] else {
            Issue.record("expected AND of a comparison and an OR: \(String(describing: parsed))")
            return
        }
        #expect(inner.count == 2)
    }

    @Test(arguments: [
        ("metrics.acc > '0.9'", "numeric value"),
        ("params.lr = 0.1", "quoted string"),
        ("tags.t = abc", "value"),
        ("metrics.acc LIKE 'x'", "metric 'acc' takes"),
        ("params.lr > '1'", "param 'lr' takes"),
        ("start_time = 'x'", "numeric value"),
        ("run_name IS NULL", "takes no IS NULL"),
        ("lifecycle_stage = 'active'", "not a searchable attribute"),
        ("experiment_id = '0'", "not a searchable attribute"),
        ("foo.bar = 'x'", "not an entity"),
        ("datasets.size = 'x'", "name, digest or context"),
        ("metrics.acc >", "expected a value"),
        ("metrics.acc", "expected a comparator"),
        ("metrics.acc > 1 AND", "expected a field"),
        ("metrics.acc > 1 metrics.b > 2", "expected AND, OR"),
        ("(metrics.acc > 1", "expected ')'"),
        ("metrics.acc > 1)", "expected AND, OR"),
        ("params.p = 'open", "unterminated"),
        ("params.p IN 'x'", "expected a list"),
        ("params.p IN ('x',)", "quoted string in the list"),
        ("params.p NOT 'x'", "expected IN after NOT"),
        ("params.p IS 'x'", "expected NULL"),
        ("metrics.a ! 1", "'!' must be followed by '='"),
        ("metrics.a > 1; metrics.b > 2", "unexpected character ';'"),
        ("metrics.a > 1.2.3", "not a number"),
    ])
    func invalidFiltersSayWhereAndWhat(filter: String, expected: String) {
        let error = #expect(throws: LogbookError.self) { try RunSearch(filter: filter) }
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("at character") == true, "\(error?.message ?? "")")
    }

    @Test func orderByTerms() throws {
        let search = try RunSearch(orderBy: ["metrics.acc DESC", "params.lr", "start_time asc"])
        #expect(
            search.orderBy == [
                OrderTerm(field: .metric("acc"), ascending: false), OrderTerm(field: .param("lr"), ascending: true),
                OrderTerm(field: .attribute(.startTime), ascending: true),
            ])
        #expect(
            try RunSearch(orderBy: ["created DESC"]).orderBy == [
                OrderTerm(field: .attribute(.startTime), ascending: false)
            ])
        #expect(try RunSearch(orderBy: ["tags.`a b` ASC"]).orderBy == [OrderTerm(field: .tag("a b"), ascending: true)])
    }

    @Test(arguments: [
        ["metrics.acc UP"], ["metrics.acc DESC extra"], ["datasets.name"], ["attributes.`run name`"],
        ["metrics.acc", "metrics.acc DESC"], [""],
    ])
    func invalidOrderBy(orderBy: [String]) {
        #expect(throws: LogbookError.self) { try RunSearch(orderBy: orderBy) }
    }

    /// Random text, and random recombinations of filter pieces, give a result or a clean error.
    /// A failure names its seed; `LOGBOOK_TEST_SEED=<seed>` replays it.
    @Test func randomFiltersNeverCrash() {
        var generator = SeededGenerator.fromEnvironment()
        let pieces = [
            "metrics.", "params.", "tags.", "attributes.", "datasets.", "acc", "lr", "`a b`", "\"q\"", "'v'", "'",
            "\"", "`", "(", ")", ",", "=", "!=", "!", "<", ">", "<=", ">=", "<>", "LIKE", "ILIKE", "IN", "NOT",
            "IS", "NULL", "AND", "OR", "and", "or", "1", "-2.5", "1e3", ".", "-", "+", "e", "run_id", "status",
            " ", "  ", "ünï", "%", "_", ";", "\\", "\n",
        ]
        for _ in 0..<5000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                text += pieces.randomElement(using: &generator)!
                if Bool.random(using: &generator) { text += " " }
            }
            do {
                _ = try RunSearch(filter: text, orderBy: [text])
            } catch let error as LogbookError {
                #expect(error.code == .invalidParameterValue, "seed \(generator.seed): \(text)")
            } catch {
                Issue.record("unexpected error \(error) for \(text) (seed \(generator.seed))")
            }
        }
        for _ in 0..<2000 {
            let scalars = (0..<Int.random(in: 0...30, using: &generator)).map { _ in
                Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &generator)))
            }
            let text = String(scalars)
            do {
                _ = try RunSearch(filter: text)
            } catch let error as LogbookError {
                #expect(error.code == .invalidParameterValue, "seed \(generator.seed): \(text)")
            } catch {
                Issue.record("unexpected error \(error) for \(text) (seed \(generator.seed))")
            }
        }
    }
}

@Suite("Experiment filter grammar")
struct ExperimentFilterTests {
    @Test func fieldsAndComparators() throws {
        #expect(try ExperimentSearch(filter: "name LIKE 'mnist%'").filter != nil)
        #expect(try ExperimentSearch(filter: "attributes.experiment_id IN ('1', '2')").filter != nil)
        #expect(try ExperimentSearch(filter: "creation_time > 5 AND tags.team = 'a'").filter != nil)
        #expect(try ExperimentSearch(filter: "tags.team IS NULL OR name = 'x'").filter != nil)
        #expect(try ExperimentSearch(orderBy: ["name ASC", "last_update_time DESC"]).orderBy.count == 2)
    }

    @Test(arguments: [
        "metrics.acc > 1", "name > 'a'", "creation_time = 'x'", "lifecycle_stage = 'active'", "name IS NULL",
    ])
    func invalid(filter: String) {
        #expect(throws: LogbookError.self) { try ExperimentSearch(filter: filter) }
    }

    @Test func tagsAreNotOrderable() {
        #expect(throws: LogbookError.self) { try ExperimentSearch(orderBy: ["tags.team"]) }
    }
}
