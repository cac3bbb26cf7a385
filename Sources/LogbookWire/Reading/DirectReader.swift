import LogbookCore

/// Reads the bodies of the hot write endpoints (`runs/log-batch`, `runs/log-metric`,
/// `runs/log-parameter`, `runs/set-tag`) straight into model values, walking the bytes once: no
/// ``JSONValue`` tree, no dictionary per point, field names matched as bytes in both spellings.
///
/// It takes only the common shape — an object of known fields, plain numbers and strings without
/// escapes, unknown fields holding scalars — and answers `nil` for anything else: a malformed body,
/// a field of the wrong type, both spellings of a field, an escape sequence, a nested unknown
/// field. The caller then reads the body with ``WireMessage``, which gives the same values or the
/// error with its exact wording. So this reader never decides what a body means on its own; it can
/// only agree with ``WireMessage`` or step aside (`DirectReaderTests` checks both on random bodies).
public struct DirectReader {
    /// `run_id` and the batch of a `runs/log-batch` body.
    public static func logBatch(_ body: some Collection<UInt8>) -> (runID: String, batch: RunBatch)? {
        withBytes(body) { reader in reader.readLogBatch() }
    }

    /// The run (`run_id`, else `run_uuid`) and point of a `runs/log-metric` body.
    public static func logMetric(_ body: some Collection<UInt8>) -> (runID: String, metric: Metric)? {
        withBytes(body) { reader in
            guard let fields = reader.readFlat(Self.metricFields + Self.runFields),
                let runID = Self.runID(fields, aliased: true), let metric = Self.metric(fields)
            else { return nil }
            return (runID, metric)
        }
    }

    /// The run and param of a `runs/log-parameter` body.
    public static func logParam(_ body: some Collection<UInt8>) -> (runID: String, param: Param)? {
        withBytes(body) { reader in
            guard let fields = reader.readFlat(Self.keyValueFields + Self.runFields),
                let runID = Self.runID(fields, aliased: true), let (key, value) = Self.keyValue(fields)
            else { return nil }
            return (runID, Param(key: key, value: value))
        }
    }

    /// The run and tag of a `runs/set-tag` body.
    public static func setTag(_ body: some Collection<UInt8>) -> (runID: String, tag: RunTag)? {
        withBytes(body) { reader in
            guard let fields = reader.readFlat(Self.keyValueFields + Self.runFields),
                let runID = Self.runID(fields, aliased: true), let (key, value) = Self.keyValue(fields)
            else { return nil }
            return (runID, RunTag(key: key, value: value))
        }
    }

    // MARK: Fields

    /// A field's two spellings as bytes, snake_case first.
    struct Field {
        let snake: [UInt8]
        let camel: [UInt8]

        init(_ name: String) {
            snake = Array(name.utf8)
            camel = Array(WireMessage.camelCase(name).utf8)
        }
    }

    /// What a field held: nothing (absent or null), a number's text, or a string.
    enum Scalar: Equatable {
        case absent
        case number(ArraySlice<UInt8>)
        case string(ArraySlice<UInt8>)
    }

    static let runFields = [Field("run_id"), Field("run_uuid")]
    static let metricFields = [Field("key"), Field("value"), Field("timestamp"), Field("step")]
    static let keyValueFields = [Field("key"), Field("value")]
    static let batchFields = [Field("run_id"), Field("metrics"), Field("params"), Field("tags")]

    private var bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// The last key string made, reused while the next key has the same bytes (a training loop
    /// logs a few keys many times).
    private var lastKey: (bytes: ArraySlice<UInt8>, string: String)?
    private let base: [UInt8]

    private static func withBytes<T>(_ body: some Collection<UInt8>, _ read: (inout DirectReader) -> T?) -> T? {
        let array = Array(body)
        return array.withUnsafeBufferPointer { buffer in
            var reader = DirectReader(bytes: buffer, base: array)
            guard let value = read(&reader) else { return nil }
            reader.skipWhitespace()
            return reader.index == buffer.count ? value : nil
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, base: [UInt8]) {
        self.bytes = bytes
        self.base = base
    }

    // MARK: Reading

    private mutating func readLogBatch() -> (runID: String, batch: RunBatch)? {
        var runID: Scalar = .absent
        var metrics: [Metric]?
        var params: [Param]?
        var tags: [RunTag]?
        var seen = [Bool](repeating: false, count: 8)
        let ok = readObject { reader, name in
            guard let (field, camel) = Self.match(name, Self.batchFields) else { return reader.skipUnknown(name) }
            // Both spellings of a field, or one field twice: left to WireMessage.
            let slot = field * 2 + (camel ? 1 : 0)
            guard !seen[slot], !seen[field * 2 + (camel ? 0 : 1)] else { return false }
            seen[slot] = true
            switch field {
            case 0:
                guard let value = reader.readScalar() else { return false }
                runID = value
                return true
            case 1:
                if reader.readNull() { return true }
                metrics = reader.readArray { reader in reader.readMetric() }
                return metrics != nil
            case 2:
                if reader.readNull() { return true }
                params = reader.readArray { reader in reader.readKeyValue().map { Param(key: $0.0, value: $0.1) } }
                return params != nil
            default:
                if reader.readNull() { return true }
                tags = reader.readArray { reader in reader.readKeyValue().map { RunTag(key: $0.0, value: $0.1) } }
                return tags != nil
            }
        }
        guard ok, case .string(let id) = runID, let runID = String(validating: id, as: UTF8.self) else { return nil }
        return (runID, RunBatch(metrics: metrics ?? [], params: params ?? [], tags: tags ?? []))
    }

    private mutating func readMetric() -> Metric? {
        guard let fields = readFlat(Self.metricFields) else { return nil }
        return Self.metric(fields, key: internedKey(fields[0]))
    }

    private mutating func readKeyValue() -> (String, String)? {
        guard let fields = readFlat(Self.keyValueFields) else { return nil }
        return Self.keyValue(fields)
    }

    /// An object whose known fields are scalars: their values in `fields` order; unknown fields
    /// must hold scalars too.
    private mutating func readFlat(_ fields: [Field]) -> [Scalar]? {
        var values = [Scalar](repeating: .absent, count: fields.count)
        var spelled = [UInt8](repeating: 0, count: fields.count)  // 1 snake, 2 camel
        let ok = readObject { reader, name in
            guard let (field, camel) = Self.match(name, fields) else { return reader.skipUnknown(name) }
            let spelling: UInt8 = camel ? 2 : 1
            if spelled[field] != 0 && spelled[field] != spelling && fields[field].snake != fields[field].camel {
                return false
            }
            spelled[field] = spelling
            guard let value = reader.readScalar() else { return false }
            values[field] = value  // a repeated name: the last one counts, as in the JSON parser
            return true
        }
        return ok ? values : nil
    }

    private static func match(_ name: ArraySlice<UInt8>, _ fields: [Field]) -> (Int, camel: Bool)? {
        for (index, field) in fields.enumerated() {
            if name.elementsEqual(field.snake) { return (index, false) }
            if field.camel != field.snake, name.elementsEqual(field.camel) { return (index, true) }
        }
        return nil
    }

    /// `{ "name": value, … }`, calling `member` with the cursor on each value.
    private mutating func readObject(_ member: (inout DirectReader, ArraySlice<UInt8>) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let name = readPlainString() else { return false }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            guard member(&self, name) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    private mutating func readArray<T>(_ item: (inout DirectReader) -> T?) -> [T]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var items: [T] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return items }
        while true {
            skipWhitespace()
            guard let value = item(&self) else { return nil }
            items.append(value)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]")) ? items : nil
        }
    }

    /// A number, a string without escapes, or null (absent); `nil` for anything else.
    private mutating func readScalar() -> Scalar? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return readPlainString().map { .string($0) }
        case UInt8(ascii: "n"): return readNull() ? .absent : nil
        default: return readNumber().map { .number($0) }
        }
    }

    /// An unknown field (its name valid UTF-8, as the JSON parser requires) whose value is a
    /// scalar, `true` or `false`.
    private mutating func skipUnknown(_ name: ArraySlice<UInt8>) -> Bool {
        String(validating: name, as: UTF8.self) != nil && skipScalar()
    }

    private mutating func skipScalar() -> Bool {
        if readLiteral("true") || readLiteral("false") { return true }
        guard let scalar = readScalar() else { return false }
        if case .string(let text) = scalar { return String(validating: text, as: UTF8.self) != nil }
        return true
    }

    private mutating func readNull() -> Bool { readLiteral("null") }

    private mutating func readLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// The bytes of a string without escapes or control characters (UTF-8 checked by the caller).
    private mutating func readPlainString() -> ArraySlice<UInt8>? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return base[start..<index - 1]
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// The text of a JSON number, checked against JSON's grammar.
    private mutating func readNumber() -> ArraySlice<UInt8>? {
        let start = index
        func digit() -> Bool { index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digit() else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while digit() { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digit() else { return nil }
            while digit() { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digit() else { return nil }
            while digit() { index += 1 }
        }
        return base[start..<index]
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func internedKey(_ scalar: Scalar) -> String? {
        guard case .string(let bytes) = scalar else { return nil }
        if let lastKey, lastKey.bytes.elementsEqual(bytes) { return lastKey.string }
        guard let string = String(validating: bytes, as: UTF8.self) else { return nil }
        lastKey = (bytes, string)
        return string
    }

    // MARK: Values, as WireMessage reads them

    private static func runID(_ fields: [Scalar], aliased: Bool) -> String? {
        let count = fields.count
        let id = fields[count - 2] != .absent ? fields[count - 2] : aliased ? fields[count - 1] : .absent
        guard case .string(let bytes) = id else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func metric(_ fields: [Scalar], key: String? = nil) -> Metric? {
        guard let key = key ?? string(fields[0]), let value = double(fields[1]), case .number(let time) = fields[2],
            let timestamp = int64(time)
        else { return nil }
        var step: Int64 = 0
        switch fields[3] {
        case .absent: break
        case .number(let text):
            guard let number = int64(text) else { return nil }
            step = number
        case .string: return nil
        }
        return Metric(key: key, value: value, timestamp: timestamp, step: step)
    }

    private static func keyValue(_ fields: [Scalar]) -> (String, String)? {
        guard let key = string(fields[0]) else { return nil }
        if fields[1] == .absent { return (key, "") }
        guard let value = string(fields[1]) else { return nil }
        return (key, value)
    }

    private static func string(_ scalar: Scalar) -> String? {
        guard case .string(let bytes) = scalar else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// A double from a JSON number, or one of the strings MLflow writes for NaN and infinities.
    private static func double(_ scalar: Scalar) -> Double? {
        switch scalar {
        case .absent: return nil
        case .string(let text):
            if text.elementsEqual("NaN".utf8) { return .nan }
            if text.elementsEqual("Infinity".utf8) { return .infinity }
            if text.elementsEqual("-Infinity".utf8) { return -.infinity }
            return nil
        case .number(let text): return fastDouble(text) ?? Double(String(decoding: text, as: UTF8.self))
        }
    }

    /// An integer: digits with an optional minus, within Int64; anything else (`1e3`, `5.0`) is
    /// left to WireMessage.
    private static func int64(_ text: ArraySlice<UInt8>) -> Int64? {
        var iterator = text.makeIterator()
        var negative = false
        var first = iterator.next()
        if first == UInt8(ascii: "-") {
            negative = true
            first = iterator.next()
        }
        guard var byte = first else { return nil }
        var value: Int64 = 0
        while true {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let digit = Int64(byte - 0x30)
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) =
                negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            guard let next = iterator.next() else { return value }
            byte = next
        }
    }

    private static let exactPowers: [Double] = (0...22).map { pow10($0) }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// Clinger's fast path: a decimal with at most 15 significant digits and a small exponent is
    /// exactly `mantissa × 10^e` or `mantissa ÷ 10^e` in one correctly rounded operation, the same
    /// double a full parser gives. `nil` when it does not apply.
    private static func fastDouble(_ text: ArraySlice<UInt8>) -> Double? {
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var negative = false
        var index = text.startIndex
        if text[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var fraction = false
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                fraction = true
            } else if byte >= 0x30 && byte <= 0x39 {
                if mantissa == 0 && byte == 0x30 {
                    if fraction { exponent -= 1 }
                } else {
                    digits += 1
                    guard digits <= 15 else { return nil }
                    mantissa = mantissa * 10 + UInt64(byte - 0x30)
                    if fraction { exponent -= 1 }
                }
            } else {
                break
            }
            index += 1
        }
        if index < text.endIndex {
            // An exponent part: e[+-]digits.
            index += 1
            var sign = 1
            if text[index] == UInt8(ascii: "-") {
                sign = -1
                index += 1
            } else if text[index] == UInt8(ascii: "+") {
                index += 1
            }
            var value = 0
            while index < text.endIndex {
                value = value * 10 + Int(text[index] - 0x30)
                guard value < 1000 else { return nil }
                index += 1
            }
            exponent += sign * value
        }
        var result = Double(mantissa)
        if mantissa == 0 {
            result = 0
        } else if exponent < 0 {
            guard -exponent <= 22 else { return nil }
            result /= exactPowers[-exponent]
        } else if exponent > 0 {
            guard exponent <= 22 else { return nil }
            result *= exactPowers[exponent]
        }
        return negative ? -result : result
    }
}
