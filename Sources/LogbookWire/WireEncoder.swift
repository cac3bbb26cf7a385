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

/// One container being encoded: a keyed or unkeyed container's members, filled by the containers
/// the encoder hands out after it has returned them (the `Encoder` protocol's design), hence a
/// class. Scalars are stored inline, so that only containers allocate.
private final class Node {
    enum Value {
        case empty
        case array([Member])
        case object([(key: String, member: Member)])
        case scalar(Scalar)
    }

    enum Member {
        case scalar(Scalar)
        case node(Node)
    }

    enum Scalar {
        case null
        /// Already JSON: digits, `true`, `false`.
        case literal(String)
        case string(String)
        case double(Double)
    }

    var value: Value = .empty

    func append(_ member: Member) {
        if case .array(var items) = value {
            value = .empty  // keep the array uniquely referenced while it grows
            items.append(member)
            value = .array(items)
        } else {
            value = .array([member])
        }
    }

    /// Adds a member. Synthesized `Encodable` conformances write each key once; a key written
    /// twice appears twice.
    func set(_ key: String, _ member: Member) {
        if case .object(var members) = value {
            value = .empty
            members.append((key, member))
            value = .object(members)
        } else {
            value = .object([(key, member)])
        }
    }

    func write(to writer: inout JSONWriter, indent: Int?) {
        switch value {
        case .empty: writer.raw("{}")
        case .scalar(let scalar): Self.write(scalar, to: &writer)
        case .array(let items):
            writer.raw("[")
            for (index, item) in items.enumerated() {
                if index > 0 { writer.raw(",") }
                Self.newline(&writer, indent.map { $0 + 1 })
                Self.write(item, to: &writer, indent: indent.map { $0 + 1 })
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
                Self.write(member.member, to: &writer, indent: indent.map { $0 + 1 })
            }
            if !members.isEmpty { Self.newline(&writer, indent) }
            writer.raw("}")
        }
    }

    private static func write(_ member: Member, to writer: inout JSONWriter, indent: Int?) {
        switch member {
        case .scalar(let scalar): write(scalar, to: &writer)
        case .node(let node): node.write(to: &writer, indent: indent)
        }
    }

    private static func write(_ scalar: Scalar, to writer: inout JSONWriter) {
        switch scalar {
        case .null: writer.raw("null")
        case .literal(let text): writer.literal(text)
        case .string(let text): writer.string(text)
        case .double(let double): writer.double(double)
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

/// A value as a member: the scalar types inline (checked by type identity, which is cheap),
/// anything else encoded into a node of its own.
private func member<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> Node.Member {
    if T.self == String.self { return .scalar(.string(value as! String)) }
    if T.self == Double.self { return .scalar(.double(value as! Double)) }
    if T.self == Int64.self { return .scalar(.literal(String(value as! Int64))) }
    if T.self == Int.self { return .scalar(.literal(String(value as! Int))) }
    if T.self == Bool.self { return .scalar(.literal((value as! Bool) ? "true" : "false")) }
    if T.self == Float.self { return .scalar(.double(Double(value as! Float))) }
    // The other integer types (whose own `encode(to:)` would come back here).
    if T.self == Int32.self || T.self == Int16.self || T.self == Int8.self || T.self == UInt.self
        || T.self == UInt64.self || T.self == UInt32.self || T.self == UInt16.self || T.self == UInt8.self
    {
        return .scalar(.literal(String(describing: value)))
    }
    let node = Node()
    try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    if case .scalar(let scalar) = node.value { return .scalar(scalar) }
    return .node(node)
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.set(key.stringValue, .scalar(.null)) }
    mutating func encode(_ value: String, forKey key: Key) throws { node.set(key.stringValue, .scalar(.string(value))) }
    mutating func encode(_ value: Double, forKey key: Key) throws { node.set(key.stringValue, .scalar(.double(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        node.set(key.stringValue, .scalar(.literal(String(value))))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        node.set(key.stringValue, .scalar(.literal(String(value))))
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        node.set(key.stringValue, .scalar(.literal(value ? "true" : "false")))
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.set(key.stringValue, try member(value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = Node()
        node.set(key.stringValue, .node(child))
        return NodeEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = Node()
        node.set(key.stringValue, .node(child))
        return NodeEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = Node()
        node.set("super", .node(child))
        return NodeEncoder(node: child, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = Node()
        node.set(key.stringValue, .node(child))
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

    mutating func encodeNil() throws { node.append(.scalar(.null)) }
    mutating func encode(_ value: String) throws { node.append(.scalar(.string(value))) }
    mutating func encode(_ value: Double) throws { node.append(.scalar(.double(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        node.append(try member(value, codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = Node()
        node.append(.node(child))
        return NodeEncoder(node: child, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = Node()
        node.append(.node(child))
        return NodeEncoder(node: child, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = Node()
        node.append(.node(child))
        return NodeEncoder(node: child, codingPath: codingPath)
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.value = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        switch try member(value, codingPath: codingPath) {
        case .scalar(let scalar): node.value = .scalar(scalar)
        case .node(let child): node.value = child.value
        }
    }
}
