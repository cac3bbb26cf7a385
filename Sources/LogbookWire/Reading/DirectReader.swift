import LogbookCore

/// Reads the bodies of the hot write endpoints (`runs/log-batch`, `runs/log-metric`,
/// `runs/log-parameter`, `runs/set-tag`) straight into model values, walking the bytes once: no
/// ``JSONValue`` tree, no dictionary or array per point, field names matched as bytes in both
/// spellings (packed into integers once, compared as integers).
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
            guard let slots = reader.readFlat(Self.metricAndRun), let runID = reader.runID(slots, at: 4),
                let metric = reader.metric(slots, linkAt: 6)
            else { return nil }
            return (runID, metric)
        }
    }

    /// The run and param of a `runs/log-parameter` body.
    public static func logParam(_ body: some Collection<UInt8>) -> (runID: String, param: Param)? {
        runKeyValue(body).map { ($0.runID, Param(key: $0.key, value: $0.value)) }
    }

    /// The run and tag of a `runs/set-tag` body.
    public static func setTag(_ body: some Collection<UInt8>) -> (runID: String, tag: RunTag)? {
        runKeyValue(body).map { ($0.runID, RunTag(key: $0.key, value: $0.value)) }
    }

    private static func runKeyValue(_ body: some Collection<UInt8>) -> (runID: String, key: String, value: String)? {
        withBytes(body) { reader in
            guard let slots = reader.readFlat(Self.keyValueAndRun), let runID = reader.runID(slots, at: 2),
                let (key, value) = reader.keyValue(slots)
            else { return nil }
            return (runID, key, value)
        }
    }

    // MARK: Fields

    /// A field name of up to 16 bytes, packed into two integers (little-endian, zero-padded).
    struct PackedName: Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var count: Int = 0

        init(_ name: String) {
            for (index, byte) in name.utf8.enumerated() { set(byte, at: index) }
            count = name.utf8.count
        }

        init?(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
            guard range.count <= 16 else { return nil }
            for index in range { set(bytes[index], at: index - range.lowerBound) }
            count = range.count
        }

        private mutating func set(_ byte: UInt8, at index: Int) {
            if index < 8 {
                low |= UInt64(byte) << (8 * UInt64(index))
            } else {
                high |= UInt64(byte) << (8 * UInt64(index - 8))
            }
        }
    }

    /// A message's known fields, both spellings of each.
    struct Fields {
        let snake: [PackedName]
        let camel: [PackedName]

        init(_ names: [String]) {
            snake = names.map(PackedName.init)
            camel = names.map { PackedName(WireMessage.camelCase($0)) }
        }

        /// The field a name is, and whether it was spelled in camelCase.
        func match(_ name: PackedName) -> (index: Int, camel: Bool)? {
            for index in snake.indices {
                if name == snake[index] { return (index, false) }
                if name == camel[index] { return (index, true) }
            }
            return nil
        }
    }

    /// What a field held: nothing (absent or null), a number's text, or a string's bytes, as
    /// positions in the body.
    enum Scalar: Equatable {
        case absent
        case number(Range<Int>)
        case string(Range<Int>)
    }

    /// The values of up to nine known fields, and the spelling each was sent in.
    struct Slots {
        private var values: (Scalar, Scalar, Scalar, Scalar, Scalar, Scalar, Scalar, Scalar, Scalar) = (
            .absent, .absent, .absent, .absent, .absent, .absent, .absent, .absent, .absent
        )
        private var spelled: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            0, 0, 0, 0, 0, 0, 0, 0, 0
        )

        subscript(index: Int) -> Scalar {
            get {
                switch index {
                case 0: values.0
                case 1: values.1
                case 2: values.2
                case 3: values.3
                case 4: values.4
                case 5: values.5
                case 6: values.6
                case 7: values.7
                default: values.8
                }
            }
            set {
                switch index {
                case 0: values.0 = newValue
                case 1: values.1 = newValue
                case 2: values.2 = newValue
                case 3: values.3 = newValue
                case 4: values.4 = newValue
                case 5: values.5 = newValue
                case 6: values.6 = newValue
                case 7: values.7 = newValue
                default: values.8 = newValue
                }
            }
        }

        /// Records the spelling of field `index` (1 snake, 2 camel); `false` when the other
        /// spelling was sent before.
        mutating func spell(_ index: Int, _ spelling: UInt8, distinct: Bool) -> Bool {
            let previous: UInt8
            switch index {
            case 0: (previous, spelled.0) = (spelled.0, spelling)
            case 1: (previous, spelled.1) = (spelled.1, spelling)
            case 2: (previous, spelled.2) = (spelled.2, spelling)
            case 3: (previous, spelled.3) = (spelled.3, spelling)
            case 4: (previous, spelled.4) = (spelled.4, spelling)
            case 5: (previous, spelled.5) = (spelled.5, spelling)
            case 6: (previous, spelled.6) = (spelled.6, spelling)
            case 7: (previous, spelled.7) = (spelled.7, spelling)
            default: (previous, spelled.8) = (spelled.8, spelling)
            }
            return !distinct || previous == 0 || previous == spelling
        }
    }

    static let metricAndRun = Fields([
        "key", "value", "timestamp", "step", "run_id", "run_uuid", "model_id", "dataset_name", "dataset_digest",
    ])
    static let keyValueAndRun = Fields(["key", "value", "run_id", "run_uuid"])
    static let metricOnly = Fields(["key", "value", "timestamp", "step", "model_id", "dataset_name", "dataset_digest"])
    static let keyValueOnly = Fields(["key", "value"])
    static let batch = Fields(["run_id", "metrics", "params", "tags"])

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// The last key string made, reused while the next key has the same bytes (a training loop
    /// logs a few keys many times).
    private var lastKey: (range: Range<Int>, string: String)?

    /// Reads the body in place when its bytes are contiguous (a request's `ByteBuffer`), else
    /// from a copy.
    private static func withBytes<T>(_ body: some Collection<UInt8>, _ read: (inout DirectReader) -> T?) -> T? {
        func readAll(_ buffer: UnsafeBufferPointer<UInt8>) -> T? {
            var reader = DirectReader(bytes: buffer)
            guard let value = read(&reader) else { return nil }
            reader.skipWhitespace()
            return reader.index == buffer.count ? value : nil
        }
        if let result = body.withContiguousStorageIfAvailable(readAll) { return result }
        return Array(body).withUnsafeBufferPointer(readAll)
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Reading

    private mutating func readLogBatch() -> (runID: String, batch: RunBatch)? {
        var runID: Scalar = .absent
        var metrics: [Metric]?
        var params: [Param]?
        var tags: [RunTag]?
        var seen: UInt8 = 0
        let ok = readObject { reader, name in
            guard let (field, _) = reader.known(name, Self.batch) else { return reader.skipUnknown(name) }
            // Both spellings of a field, or one field twice: left to WireMessage.
            let bit: UInt8 = 1 << UInt8(field)
            guard seen & bit == 0 else { return false }
            seen |= bit
            switch field {
            case 0:
                guard let value = reader.readScalar() else { return false }
                runID = value
                return true
            case 1:
                if reader.readLiteral("null") { return true }
                metrics = reader.readArray { reader in reader.readMetric() }
                return metrics != nil
            case 2:
                if reader.readLiteral("null") { return true }
                params = reader.readArray { reader in reader.readKeyValue().map { Param(key: $0.0, value: $0.1) } }
                return params != nil
            default:
                if reader.readLiteral("null") { return true }
                tags = reader.readArray { reader in reader.readKeyValue().map { RunTag(key: $0.0, value: $0.1) } }
                return tags != nil
            }
        }
        guard ok, let runID = required(runID) else { return nil }
        return (runID, RunBatch(metrics: metrics ?? [], params: params ?? [], tags: tags ?? []))
    }

    private mutating func readMetric() -> Metric? {
        guard let slots = readFlat(Self.metricOnly) else { return nil }
        return metric(slots, linkAt: 4)
    }

    private mutating func readKeyValue() -> (String, String)? {
        guard let slots = readFlat(Self.keyValueOnly) else { return nil }
        return keyValue(slots)
    }

    /// An object whose known fields are scalars; unknown fields must hold scalars too.
    private mutating func readFlat(_ fields: Fields) -> Slots? {
        var slots = Slots()
        let ok = readObject { reader, name in
            guard let (field, camel) = reader.known(name, fields) else { return reader.skipUnknown(name) }
            let distinct = fields.snake[field] != fields.camel[field]
            guard slots.spell(field, camel ? 2 : 1, distinct: distinct), let value = reader.readScalar() else {
                return false
            }
            slots[field] = value  // a repeated name: the last one counts, as in the JSON parser
            return true
        }
        return ok ? slots : nil
    }

    /// Which of `fields` the name at `range` is, if any.
    private func known(_ range: Range<Int>, _ fields: Fields) -> (index: Int, camel: Bool)? {
        PackedName(bytes, range).flatMap(fields.match)
    }

    /// `{ "name": value, … }`, calling `member` with the name's position and the cursor on its value.
    private mutating func readObject(_ member: (inout DirectReader, Range<Int>) -> Bool) -> Bool {
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
        case UInt8(ascii: "n"): return readLiteral("null") ? .absent : nil
        default: return readNumber().map { .number($0) }
        }
    }

    /// An unknown field: its name valid UTF-8 (as the JSON parser requires), its value a scalar,
    /// `true` or `false`, strings valid UTF-8. (Known names are ASCII.)
    private mutating func skipUnknown(_ name: Range<Int>) -> Bool {
        guard String(validating: slice(name), as: UTF8.self) != nil else { return false }
        if readLiteral("true") || readLiteral("false") { return true }
        guard let scalar = readScalar() else { return false }
        if case .string(let range) = scalar { return String(validating: slice(range), as: UTF8.self) != nil }
        return true
    }

    private mutating func readLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// The position of a string's bytes, without escapes or control characters (UTF-8 checked
    /// where the string is used).
    private mutating func readPlainString() -> Range<Int>? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<index - 1
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// The position of a JSON number, checked against JSON's grammar.
    private mutating func readNumber() -> Range<Int>? {
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
        return start..<index
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

    private func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[range])
    }

    // MARK: Values, as WireMessage reads them

    private func runID(_ slots: Slots, at index: Int) -> String? {
        required(slots[index] != .absent ? slots[index] : slots[index + 1])
    }

    /// A metric from its slots; `linkAt` is the slot of `model_id`, then `dataset_name` and
    /// `dataset_digest` (strings; empty is no link, as ``WireMessage`` reads them).
    private mutating func metric(_ slots: Slots, linkAt link: Int) -> Metric? {
        guard let key = internedKey(slots[0]), let value = double(slots[1]), case .number(let time) = slots[2],
            let timestamp = int64(time)
        else { return nil }
        var step: Int64 = 0
        switch slots[3] {
        case .absent: break
        case .number(let text):
            guard let number = int64(text) else { return nil }
            step = number
        case .string: return nil
        }
        var links: [String?] = []
        for index in link..<link + 3 {
            switch slots[index] {
            case .absent: links.append(nil)
            case .string:
                guard let text = string(slots[index]) else { return nil }
                links.append(text.isEmpty ? nil : text)
            case .number: return nil
            }
        }
        return Metric(
            key: key, value: value, timestamp: timestamp, step: step, modelID: links[0], datasetName: links[1],
            datasetDigest: links[2])
    }

    private func keyValue(_ slots: Slots) -> (String, String)? {
        guard let key = required(slots[0]) else { return nil }
        if slots[1] == .absent { return (key, "") }
        guard let value = string(slots[1]) else { return nil }
        return (key, value)
    }

    private func string(_ scalar: Scalar) -> String? {
        guard case .string(let range) = scalar else { return nil }
        return String(validating: slice(range), as: UTF8.self)
    }

    /// A required string: an empty one is missing, which ``WireMessage`` reports.
    private func required(_ scalar: Scalar) -> String? {
        guard let string = string(scalar), !string.isEmpty else { return nil }
        return string
    }

    private mutating func internedKey(_ scalar: Scalar) -> String? {
        guard case .string(let range) = scalar, !range.isEmpty else { return nil }
        if let lastKey, lastKey.range.count == range.count,
            slice(lastKey.range).elementsEqual(slice(range))
        {
            return lastKey.string
        }
        guard let string = String(validating: slice(range), as: UTF8.self) else { return nil }
        lastKey = (range, string)
        return string
    }

    /// A double from a JSON number, or one of the strings MLflow writes for NaN and infinities.
    private func double(_ scalar: Scalar) -> Double? {
        switch scalar {
        case .absent: return nil
        case .string(let range):
            let text = slice(range)
            if text.elementsEqual("NaN".utf8) { return .nan }
            if text.elementsEqual("Infinity".utf8) { return .infinity }
            if text.elementsEqual("-Infinity".utf8) { return -.infinity }
            return nil
        case .number(let range):
            let text = slice(range)
            return Self.fastDouble(text) ?? Double(String(decoding: text, as: UTF8.self))
        }
    }

    /// An integer: digits with an optional minus, within Int64; anything else (`1e3`, `5.0`) is
    /// left to WireMessage.
    private func int64(_ range: Range<Int>) -> Int64? {
        var position = range.lowerBound
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < range.upperBound else { return nil }
        var value: Int64 = 0
        while position < range.upperBound {
            let byte = bytes[position]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let digit = Int64(byte - 0x30)
            let (times, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowedAgain) =
                negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflowed && !overflowedAgain else { return nil }
            value = sum
            position += 1
        }
        return value
    }

    private static let exactPowers: [Double] = (0...22).map { exponent in
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// Clinger's fast path: a decimal with at most 15 significant digits and a small exponent is
    /// exactly `mantissa × 10^e` or `mantissa ÷ 10^e` in one correctly rounded operation, the same
    /// double a full parser gives. `nil` when it does not apply.
    private static func fastDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index += 1 }
        var fraction = false
        while index < text.count {
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
        if index < text.count {
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
            while index < text.count {
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
