/// Encodes `Encodable` wire messages as MLflow writes JSON: a double always with a fraction or an
/// exponent (`1.0`, never `1`, so that a client reading JSON without a schema gets a float back),
/// NaN and ±infinity as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, members in the order the
/// type encodes them, `nil` optionals left out.
///
/// Foundation's `JSONEncoder` writes an integral double as an integer (`1`), which Python's `json`
/// then reads as an `int`; this encoder exists for that one difference, and writes through
/// ``JSONWriter``.
public enum WireEncoder {
    /// `value` as compact JSON bytes, or indented by two spaces when `pretty`.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> [UInt8] {
        let root = Node()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        var writer = JSONWriter(capacity: 512)
        root.write(to: &writer, indent: pretty ? 0 : nil)
        return writer.bytes
    }

    /// `value` as JSON text.
    public static func string<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
        String(decoding: try encode(value, pretty: pretty), as: UTF8.self)
    }
}

/// One value being encoded. A class, because containers handed out by the encoder fill their
/// node after the encoder has returned them (the `Encoder` protocol's design).
private final class Node {
    enum Value {
        case empty
        case null
        case literal(String)
        case string(String)
        case double(Double)
        case array([Node])
        case object([(key: String, node: Node)])
    }

    var value: Value = .empty

    func append(_ node: Node) {
        if case .array(var items) = value {
            value = .empty  // keep the array uniquely referenced while it grows
            items.append(node)
            value = .array(items)
        } else {
            value = .array([node])
        }
    }

    func set(_ key: String, _ node: Node) {
        if case .object(var members) = value {
            value = .empty
            if let index = members.firstIndex(where: { $0.key == key }) {
                members[index].node = node
            } else {
                members.append((key, node))
            }
            value = .object(members)
        } else {
            value = .object([(key, node)])
        }
    }

    func write(to writer: inout JSONWriter, indent: Int?) {
        switch value {
        case .empty: writer.raw("{}")
        case .null: writer.raw("null")
        case .literal(let text): writer.literal(text)
        case .string(let text): writer.string(text)
        case .double(let double): writer.double(double)
        case .array(let items):
            writer.raw("[")
            for (index, item) in items.enumerated() {
                if index > 0 { writer.raw(",") }
                Self.newline(&writer, indent.map { $0 + 1 })
                item.write(to: &writer, indent: indent.map { $0 + 1 })
            }
            if !items.isEmpty { Self.newline(&writer, indent) }
            writer.raw("]")
        case .object(let members):
            writer.raw("{")
            for (index, member) in members.enumerated() {
                if index > 0 { writer.raw(",") }
                Self.newline(&writer, indent.map { $0 + 1 })
                writer.string(member.key)
                writer.raw(indent == nil ? ":" : ": ")
                member.node.write(to: &writer, indent: indent.map { $0 + 1 })
            }
            if !members.isEmpty { Self.newline(&writer, indent) }
            writer.raw("}")
        }
    }

    private static func newline(_ writer: inout JSONWriter, _ depth: Int?) {
        guard let depth else { return }
        writer.raw("\n")
        for _ in 0..<depth { writer.raw("  ") }
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.value {} else { node.value = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.value {} else { node.value = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, codingPath: codingPath)
    }
}

/// Scalars as nodes; anything else encodes itself into a fresh node.
private func encoded<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> Node {
    let node = Node()
    switch value {
    case let double as Double: node.value = .double(double)
    case let float as Float: node.value = .double(Double(float))
    case let string as String: node.value = .string(string)
    case let bool as Bool: node.value = .literal(bool ? "true" : "false")
    case let integer as any BinaryInteger: node.value = .literal(String(describing: integer))
    default: try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
    return node
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        let null = Node()
        null.value = .null
        node.set(key.stringValue, null)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.set(key.stringValue, try encoded(value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = Node()
        node.set(key.stringValue, child)
        return NodeEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = Node()
        node.set(key.stringValue, child)
        return NodeEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = Node()
        node.set("super", child)
        return NodeEncoder(node: child, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = Node()
        node.set(key.stringValue, child)
        return NodeEncoder(node: child, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let items) = node.value { return items.count }
        return 0
    }

    mutating func encodeNil() throws {
        let null = Node()
        null.value = .null
        node.append(null)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        node.append(try encoded(value, codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = Node()
        node.append(child)
        return NodeEncoder(node: child, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = Node()
        node.append(child)
        return NodeEncoder(node: child, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = Node()
        node.append(child)
        return NodeEncoder(node: child, codingPath: codingPath)
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.value = .null }

    mutating func encode<T: Encodable>(_ value: T) throws {
        node.value = try encoded(value, codingPath: codingPath).value
    }
}
