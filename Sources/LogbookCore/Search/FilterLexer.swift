/// Splits a filter or order-by string into tokens. Quotes are stripped without escape processing,
/// as MLflow does: to put one kind of quote in a value, quote it with the other kind.
struct FilterLexer {
    enum Kind: Equatable {
        /// A bare word: a keyword, or an identifier such as `metrics.acc` (a trailing `.` joins
        /// the quoted key that follows it).
        case word(String)
        /// `'text'`: a string value.
        case singleQuoted(String)
        /// `"text"`: a string value, or a key.
        case doubleQuoted(String)
        /// `` `text` ``: a key.
        case backticked(String)
        case number(Double)
        /// `=`, `!=`, `>`, `>=`, `<`, `<=`.
        case symbol(String)
        case openParenthesis, closeParenthesis, comma
        case end
    }

    struct Token: Equatable {
        var kind: Kind
        /// 1-based character position in the text, for error messages.
        var position: Int
    }

    let text: String
    let what: String

    /// The tokens of `text`; `what` names the text in error messages ("filter", "order_by clause").
    static func tokens(_ text: String, what: String) throws -> [Token] {
        try FilterLexer(text: text, what: what).run()
    }

    private func run() throws -> [Token] {
        let characters = Array(text)
        var tokens: [Token] = []
        var index = 0
        func fail(_ message: String) -> LogbookError {
            LogbookError(.invalidParameterValue, "Invalid \(what) '\(text)': \(message) at character \(index + 1).")
        }
        while index < characters.count {
            let character = characters[index]
            let start = index + 1
            if character.isWhitespace {
                index += 1
                continue
            }
            switch character {
            case "(":
                tokens.append(Token(kind: .openParenthesis, position: start))
                index += 1
            case ")":
                tokens.append(Token(kind: .closeParenthesis, position: start))
                index += 1
            case ",":
                tokens.append(Token(kind: .comma, position: start))
                index += 1
            case "'", "\"", "`":
                guard let close = characters[(index + 1)...].firstIndex(of: character) else {
                    throw fail("unterminated \(character) quote")
                }
                let content = String(characters[(index + 1)..<close])
                let kind: Kind =
                    character == "'"
                    ? .singleQuoted(content) : character == "\"" ? .doubleQuoted(content) : .backticked(content)
                tokens.append(Token(kind: kind, position: start))
                index = close + 1
            case "=", "!", "<", ">":
                var symbol = String(character)
                if index + 1 < characters.count,
                    characters[index + 1] == "=" || (character == "<" && characters[index + 1] == ">")
                {
                    symbol.append(characters[index + 1])
                }
                if symbol == "!" { throw fail("'!' must be followed by '='") }
                tokens.append(Token(kind: .symbol(symbol == "<>" ? "!=" : symbol), position: start))
                index += symbol.count
            case "0"..."9", "-", "+", ".":
                var end = index + 1
                while end < characters.count, characters[end].isNumber || "eE.+-".contains(characters[end]) {
                    if "+-".contains(characters[end]), !"eE".contains(characters[end - 1]) { break }
                    end += 1
                }
                guard let number = Double(String(characters[index..<end])) else {
                    throw fail("'\(String(characters[index..<end]))' is not a number")
                }
                tokens.append(Token(kind: .number(number), position: start))
                index = end
            default:
                guard character.isLetter || character == "_" else {
                    throw fail("unexpected character '\(character)'")
                }
                var end = index + 1
                while end < characters.count,
                    characters[end].isLetter || characters[end].isNumber || characters[end] == "_"
                        || characters[end] == "."
                {
                    end += 1
                }
                tokens.append(Token(kind: .word(String(characters[index..<end])), position: start))
                index = end
            }
        }
        tokens.append(Token(kind: .end, position: characters.count + 1))
        return tokens
    }
}

extension FilterLexer.Kind {
    /// How the token reads in an error message.
    var shown: String {
        switch self {
        case .word(let word): "'\(word)'"
        case .singleQuoted(let text): "'\(text)' (a quoted string)"
        case .doubleQuoted(let text): "\"\(text)\""
        case .backticked(let text): "`\(text)`"
        case .number(let number): "\(number)"
        case .symbol(let symbol): "'\(symbol)'"
        case .openParenthesis: "'('"
        case .closeParenthesis: "')'"
        case .comma: "','"
        case .end: "the end of the text"
        }
    }

    /// The keyword this token is, upper-cased, if it is a bare word.
    var keyword: String? {
        if case .word(let word) = self { return word.uppercased() }
        return nil
    }
}
