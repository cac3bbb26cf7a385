import LogbookCore

/// One message read leniently, the way MLflow's server reads protobuf JSON (reference §6.1): the
/// server reads requests with it, the REST store reads answers.
///
/// - Field names may be `snake_case` or `lowerCamelCase`; sending both spellings of one field is an error.
/// - Unknown fields are ignored; `null` counts as absent, and so does `""` where a string is required.
/// - A string field takes a JSON string only: `"run_id": 31` is an error, as in MLflow.
/// - int64 fields take a JSON number or a numeric string; doubles also take `"NaN"`, `"Infinity"`
///   and `"-Infinity"`; booleans take `true`/`false` or those words as strings.
/// - A GET request's query parameters form a message too: every value is a string, and a repeated
///   parameter is a list (a list of one when given once).
///
/// Every problem is a ``LogbookError`` with `INVALID_PARAMETER_VALUE` and MLflow's wording, naming
/// the field by its path (`metrics[3].timestamp`) and quoting the value as JSON.
public struct WireMessage: Sendable {
    /// The message's fields by the name they were sent under.
    public let members: [String: JSONValue]
    /// Where this message sits in the request, for error messages (`""` for the request itself).
    public let path: String
    /// Whether the message is a query string, where a repeated field given once is a single string.
    public let isQuery: Bool

    public init(members: [String: JSONValue], path: String = "", isQuery: Bool = false) {
        self.members = members
        self.path = path
        self.isQuery = isQuery
    }

    /// The message a request body holds: a JSON object, or (as legacy clients send it) a JSON
    /// string holding one. An empty body is the empty message.
    public init(body: some Collection<UInt8>) throws(LogbookError) {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            self.init(members: [:])
            return
        }
        var value = try JSONParser.parse(body)
        if case .string(let text) = value { value = try JSONParser.parse(text) }
        guard case .object(let members) = value else {
            throw LogbookError(.badRequest, "The request body must be a JSON object, not a \(value.typeName).")
        }
        self.init(members: members)
    }

    /// The message a query string holds (`a=1&b=x&b=y`), decoded as an HTML form: `+` is a space
    /// and `%XX` a byte.
    public init(query: String?) {
        var members: [String: JSONValue] = [:]
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.percentDecode(parts[0], plusIsSpace: true)
            let value = JSONValue.string(parts.count > 1 ? Self.percentDecode(parts[1], plusIsSpace: true) : "")
            switch members[name] {
            case nil: members[name] = value
            case .array(let values)?: members[name] = .array(values + [value])
            case let first?: members[name] = .array([first, value])
            }
        }
        self.init(members: members, isQuery: true)
    }

    /// Decodes `%XX` escapes; in a query string (`plusIsSpace`), `+` is a space too.
    public static func percentDecode(_ text: Substring, plusIsSpace: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+") where plusIsSpace: bytes.append(0x20)
            case UInt8(ascii: "%"):
                let high = iterator.next().flatMap(Self.hexValue)
                let low = iterator.next().flatMap(Self.hexValue)
                if let high, let low { bytes.append(high << 4 | low) } else { bytes.append(byte) }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Fields

    /// The field's name as the error messages print it.
    public func qualified(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// `snake_case` → `lowerCamelCase`.
    static func camelCase(_ name: String) -> String {
        var result = ""
        var upperNext = false
        for character in name {
            if character == "_" {
                upperNext = true
            } else {
                result.append(upperNext ? Character(character.uppercased()) : character)
                upperNext = false
            }
        }
        return result
    }

    /// The raw value of a field sent under its snake_case or camelCase name, `nil` when absent or null.
    public func value(_ name: String) throws(LogbookError) -> JSONValue? {
        let camel = Self.camelCase(name)
        var found = members[name]
        if camel != name, let other = members[camel] {
            if found != nil {
                throw LogbookError(
                    .invalidParameterValue,
                    "Both '\(qualified(name))' and '\(qualified(camel))' were sent; send the field once.")
            }
            found = other
        }
        if case .null? = found { return nil }
        return found
    }

    /// Whether the field was sent (and not null).
    public func contains(_ name: String) throws(LogbookError) -> Bool { try value(name) != nil }

    /// A request refused by MLflow's request checks: `INVALID_PARAMETER_VALUE`, `text` and the
    /// pointer to the API docs that MLflow's server adds.
    public static func rejected(_ text: String) -> LogbookError {
        LogbookError(.invalidParameterValue, text + " See the API docs for more information about request parameters.")
    }

    /// The error for a required field that was not sent.
    public func missing(_ name: String) -> LogbookError {
        Self.rejected("Missing value for required parameter '\(qualified(name))'.")
    }

    /// The error for a field of the wrong type or value; `hint` is a sentence (MLflow's default
    /// names the JSON type).
    func invalid(_ name: String, _ value: JSONValue, hint: String? = nil) -> LogbookError {
        Self.rejected(
            "Invalid value \(value.excerpt) for parameter '\(qualified(name))' supplied:  \(hint ?? "Hint: Value was of type '\(value.typeName)'.")"
        )
    }

    /// A string field. `alias` is an older name of the same field (`run_uuid` for `run_id`), used
    /// when the field itself is absent.
    public func string(_ name: String, alias: String? = nil) throws(LogbookError) -> String? {
        guard let value = try value(name) else {
            if let alias { return try string(alias) }
            return nil
        }
        switch value {
        case .string(let string): return string
        default: throw invalid(name, value)
        }
    }

    /// A string field that must be present (or its alias) and not empty.
    public func requiredString(_ name: String, alias: String? = nil) throws(LogbookError) -> String {
        guard let string = try string(name, alias: alias), !string.isEmpty else { throw missing(name) }
        return string
    }

    /// An int64 field: a JSON integer or a string holding one.
    public func int64(_ name: String) throws(LogbookError) -> Int64? {
        guard let value = try value(name) else { return nil }
        switch value {
        case .number(let text), .string(let text):
            if let integer = Int64(text) { return integer }
            // Protobuf accepts integral doubles such as 1e3 or 5.0.
            guard let double = Double(text) else { throw invalid(name, value) }
            if double.rounded() == double, let integer = Int64(exactly: double) { return integer }
            throw invalid(name, value, hint: "Value must be a 64-bit integer.")
        default: throw invalid(name, value)
        }
    }

    /// An int64 field that must be present.
    public func requiredInt64(_ name: String) throws(LogbookError) -> Int64 {
        guard let integer = try int64(name) else { throw missing(name) }
        return integer
    }

    /// A double field: a JSON number, or a string holding a number, `NaN`, `Infinity` or `-Infinity`.
    public func double(_ name: String) throws(LogbookError) -> Double? {
        guard let value = try value(name) else { return nil }
        switch value {
        case .number(let text):
            guard let double = Double(text) else { throw invalid(name, value) }
            return double
        case .string(let text):
            switch text {
            case "NaN", "nan": return .nan
            case "Infinity", "inf": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default:
                guard let double = Double(text), !text.isEmpty else { throw invalid(name, value) }
                return double
            }
        default: throw invalid(name, value)
        }
    }

    /// A double field that must be present.
    public func requiredDouble(_ name: String) throws(LogbookError) -> Double {
        guard let double = try double(name) else { throw missing(name) }
        return double
    }

    /// A boolean field: `true`/`false`, or those words as strings (query parameters).
    public func bool(_ name: String) throws(LogbookError) -> Bool? {
        guard let value = try value(name) else { return nil }
        switch value {
        case .bool(let bool): return bool
        case .string("true"), .string("True"): return true
        case .string("false"), .string("False"): return false
        default: throw invalid(name, value)
        }
    }

    /// An enum field, by name or by number; an unknown name is an error (MLflow ignores it silently).
    public func enumeration<Value>(_ name: String, _ cases: [(name: String, number: Int64, value: Value)])
        throws(LogbookError) -> Value?
    {
        guard let value = try value(name) else { return nil }
        let match: Value?
        switch value {
        case .string(let text):
            match = cases.first { $0.name == text.uppercased() || String($0.number) == text }?.value
        case .number(let text): match = cases.first { String($0.number) == text }?.value
        default: match = nil
        }
        guard let match else {
            throw invalid(name, value, hint: "Expected one of \(cases.map(\.name).joined(separator: ", ")).")
        }
        return match
    }

    /// A repeated string field; in a query string, a single string is a list of one (a parameter
    /// given once). Numbers in the list are taken as their text, as MLflow's server takes them.
    public func strings(_ name: String) throws(LogbookError) -> [String] {
        guard let value = try value(name) else { return [] }
        switch value {
        case .string(let string) where isQuery: return [string]
        case .array(let items):
            var strings: [String] = []
            strings.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .string(let string): strings.append(string)
                case .number(let text): strings.append(text)
                default: throw invalid(name, value, hint: "Every item must be a string.")
                }
            }
            return strings
        default: throw invalid(name, value)
        }
    }

    /// A nested message.
    public func message(_ name: String) throws(LogbookError) -> WireMessage? {
        guard let value = try value(name) else { return nil }
        guard case .object(let members) = value else { throw invalid(name, value) }
        return WireMessage(members: members, path: qualified(name))
    }

    /// A repeated nested message.
    public func messages(_ name: String) throws(LogbookError) -> [WireMessage] {
        guard let value = try value(name) else { return [] }
        guard case .array(let items) = value else { throw invalid(name, value) }
        var messages: [WireMessage] = []
        messages.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else {
                throw invalid("\(name)[\(index)]", item)
            }
            messages.append(WireMessage(members: members, path: qualified("\(name)[\(index)]")))
        }
        return messages
    }
}
