/// A parsed JSON value, as requests arrive on the wire.
///
/// Numbers keep their text so that an int64 (a timestamp, a step) is read exactly and a double
/// is read once, when a field asks for it. Objects are dictionaries: member order is not kept,
/// and a repeated member keeps its last value, as Python's `json` does.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, as written in the JSON text.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type's name, for error messages (Python's names, as MLflow's messages use them).
    public var typeName: String {
        switch self {
        case .null: "NoneType"
        case .bool: "bool"
        case .number(let text): text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? "float" : "int"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }

    /// The value as MLflow quotes it in error messages — Python's `json.dumps` with sorted keys,
    /// compact separators and non-ASCII escaped — shortened to 100 characters.
    public var excerpt: String {
        let text = pythonJSON
        return text.count > 100 ? String(text.prefix(100)) + "…" : text
    }

    private var pythonJSON: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text):
            // Python reads a number with a fraction or exponent as a float and writes it back
            // in its shortest form, as Swift does (`1e3` → `1000.0`).
            guard text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let double = Double(text) else {
                return text
            }
            return double.isFinite ? double.description : (double > 0 ? "Infinity" : "-Infinity")
        case .string(let string): return Self.pythonString(string)
        case .array(let items): return "[" + items.map(\.pythonJSON).joined(separator: ",") + "]"
        case .object(let members):
            return "{"
                + members.keys.sorted().map { Self.pythonString($0) + ":" + members[$0]!.pythonJSON }.joined(
                    separator: ",") + "}"
        }
    }

    private static func pythonString(_ string: String) -> String {
        var result = "\""
        for unit in string.utf16 {
            switch unit {
            case 0x22: result += "\\\""
            case 0x5C: result += "\\\\"
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0x08: result += "\\b"
            case 0x0C: result += "\\f"
            case 0x20...0x7E: result.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return result + "\""
    }
}
