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

    /// The value as it would be written in JSON, shortened for error messages.
    public var excerpt: String {
        let text: String
        switch self {
        case .null: text = "None"
        case .bool(let value): text = value ? "True" : "False"
        case .number(let number): text = number
        case .string(let string): text = "'\(string)'"
        case .array(let items): text = "[" + items.map(\.excerpt).joined(separator: ", ") + "]"
        case .object: text = "{…}"
        }
        return text.count > 100 ? String(text.prefix(100)) + "…" : text
    }
}
