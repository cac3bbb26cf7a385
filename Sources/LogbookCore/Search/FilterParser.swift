/// What a search language refers to: the fields it knows and the comparisons each allows.
protocol SearchGrammar {
    associatedtype Field: Sendable & Hashable
    /// The field `entity.key` names (`entity` is `nil` for a bare key); throws a message when unknown.
    static func field(entity: String?, key: String) throws(GrammarError) -> Field
    /// Throws a message when the comparator or value does not suit the field.
    static func check(_ comparison: Comparison<Field>) throws(GrammarError)
    /// Throws a message when the field cannot be ordered by.
    static func checkOrderable(_ field: Field, key: String) throws(GrammarError)
}

/// A grammar rule's complaint; the parser adds where it happened.
struct GrammarError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A recursive-descent parser for MLflow's filter grammar (reference §7), extended with OR and
/// parentheses:
///
/// ```
/// filter     := [or]
/// or         := and ( OR and )*
/// and        := primary ( AND primary )*
/// primary    := '(' or ')' | comparison
/// comparison := identifier comparator value
/// identifier := word | word'.'quoted | quoted          e.g. metrics.acc, params."my key", `run name`
/// comparator := = | != | <> | > | >= | < | <= | LIKE | ILIKE | IN | NOT IN | IS NULL | IS NOT NULL
/// value      := number | 'string' | "string" | '(' string ( ',' string )* ')'
/// ```
struct FilterParser<Grammar: SearchGrammar> {
    private let text: String
    private let what: String
    private var tokens: [FilterLexer.Token]
    private var index = 0

    private init(text: String, what: String) throws {
        self.text = text
        self.what = what
        self.tokens = try FilterLexer.tokens(text, what: what)
    }

    /// Parses a filter; `nil` for an empty one (match everything).
    static func filter(_ text: String?) throws -> FilterExpression<Grammar.Field>? {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return nil }
        var parser = try FilterParser(text: text, what: "filter")
        let expression = try parser.parseOr()
        guard parser.current.kind == .end else {
            throw parser.error("expected AND, OR or the end of the filter")
        }
        return expression
    }

    /// Parses one order_by clause such as `metrics.acc DESC`.
    static func orderTerm(_ text: String) throws -> OrderTerm<Grammar.Field> {
        var parser = try FilterParser(text: text, what: "order_by clause")
        let (field, key) = try parser.parseIdentifier()
        do {
            try Grammar.checkOrderable(field, key: key)
        } catch {
            throw parser.error(error.message, at: parser.tokens[0].position)
        }
        var ascending = true
        if let keyword = parser.current.kind.keyword, keyword == "ASC" || keyword == "DESC" {
            ascending = keyword == "ASC"
            parser.index += 1
        }
        guard parser.current.kind == .end else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid ordering key in order_by clause '\(text)'. Use `<field> [ASC|DESC]`, e.g. 'metrics.acc DESC'.")
        }
        return OrderTerm(field: field, ascending: ascending)
    }

    // MARK: Grammar

    private var current: FilterLexer.Token { tokens[index] }

    private mutating func parseOr() throws -> FilterExpression<Grammar.Field> {
        var terms = [try parseAnd()]
        while current.kind.keyword == "OR" {
            index += 1
            terms.append(try parseAnd())
        }
        return terms.count == 1 ? terms[0] : .any(terms)
    }

    private mutating func parseAnd() throws -> FilterExpression<Grammar.Field> {
        var terms = [try parsePrimary()]
        while current.kind.keyword == "AND" {
            index += 1
            terms.append(try parsePrimary())
        }
        return terms.count == 1 ? terms[0] : .all(terms)
    }

    private mutating func parsePrimary() throws -> FilterExpression<Grammar.Field> {
        if current.kind == .openParenthesis {
            index += 1
            let inner = try parseOr()
            guard current.kind == .closeParenthesis else { throw error("expected ')'") }
            index += 1
            return inner
        }
        return .comparison(try parseComparison())
    }

    private mutating func parseComparison() throws -> Comparison<Grammar.Field> {
        let start = current.position
        let (field, _) = try parseIdentifier()
        let comparator = try parseComparator()
        let value = try parseValue(for: comparator)
        let comparison = Comparison(field: field, comparator: comparator, value: value)
        do {
            try Grammar.check(comparison)
        } catch {
            throw self.error(error.message, at: start)
        }
        return comparison
    }

    /// An identifier and the key as written.
    private mutating func parseIdentifier() throws -> (Grammar.Field, String) {
        let token = current
        var entity: String?
        var key: String
        switch token.kind {
        case .word(let word):
            index += 1
            if word.hasSuffix(".") {
                entity = String(word.dropLast())
                switch current.kind {
                case .doubleQuoted(let quoted), .backticked(let quoted), .singleQuoted(let quoted):
                    key = quoted
                    index += 1
                default:
                    throw error("expected a key after '\(word)'")
                }
            } else if let dot = word.firstIndex(of: ".") {
                entity = String(word[..<dot])
                key = String(word[word.index(after: dot)...])
            } else {
                key = word
            }
        case .doubleQuoted(let quoted), .backticked(let quoted):
            index += 1
            key = quoted
        default:
            throw error("expected a field such as metrics.acc, params.lr, tags.team or an attribute")
        }
        do {
            return (try Grammar.field(entity: entity, key: key), key)
        } catch {
            throw self.error(error.message, at: token.position)
        }
    }

    private mutating func parseComparator() throws -> Comparator {
        let token = current
        index += 1
        if case .symbol(let symbol) = token.kind, let comparator = Comparator(rawValue: symbol) { return comparator }
        switch token.kind.keyword {
        case "LIKE": return .like
        case "ILIKE": return .ilike
        case "IN": return .in
        case "NOT":
            guard current.kind.keyword == "IN" else { throw error("expected IN after NOT") }
            index += 1
            return .notIn
        case "IS":
            var comparator = Comparator.isNull
            if current.kind.keyword == "NOT" {
                comparator = .isNotNull
                index += 1
            }
            guard current.kind.keyword == "NULL" else { throw error("expected NULL") }
            index += 1
            return comparator
        default:
            index -= 1
            throw error("expected a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL)")
        }
    }

    private mutating func parseValue(for comparator: Comparator) throws -> FilterValue {
        switch comparator {
        case .isNull, .isNotNull:
            return .none
        case .in, .notIn:
            guard current.kind == .openParenthesis else { throw error("expected a list such as ('a', 'b')") }
            index += 1
            var values: [String] = []
            while true {
                switch current.kind {
                case .singleQuoted(let text), .doubleQuoted(let text): values.append(text)
                default: throw error("expected a quoted string in the list")
                }
                index += 1
                if current.kind == .comma {
                    index += 1
                    continue
                }
                guard current.kind == .closeParenthesis else { throw error("expected ',' or ')'") }
                index += 1
                return .list(values)
            }
        default:
            let token = current
            index += 1
            switch token.kind {
            case .number(let number): return .number(number)
            case .singleQuoted(let text), .doubleQuoted(let text): return .string(text)
            default:
                index -= 1
                throw error("expected a value: a number or a quoted string (e.g. 'my-value')")
            }
        }
    }

    private func error(_ message: String, at position: Int? = nil) -> LogbookError {
        let token = tokens[min(index, tokens.count - 1)]
        let place = position ?? token.position
        let found = position == nil ? ", found \(token.kind.shown)" : ""
        return LogbookError(
            .invalidParameterValue, "Invalid \(what) '\(text)' at character \(place): \(message)\(found).")
    }
}
