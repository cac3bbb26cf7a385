import LogbookCore

/// Writes MLflow JSON straight into bytes, for the answers that can be large (a metric history
/// of 100k points): several times faster than `JSONEncoder`, and the same JSON values.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Text that is already JSON (a number's digits, a literal).
    public mutating func literal(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A JSON string, escaped.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func integer(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A double; NaN and ±infinity as the strings MLflow uses.
    public mutating func double(_ value: Double) {
        if value.isNaN {
            raw("\"NaN\"")
        } else if value.isInfinite {
            value > 0 ? raw("\"Infinity\"") : raw("\"-Infinity\"")
        } else {
            // Swift's shortest round-trip form ("0.1", "1e-05", "2.5e+20") is valid JSON.
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// `{"key": …, "value": …, "timestamp": …, "step": …[, "model_id": …, "dataset_name": …,
    /// "dataset_digest": …][, "run_id": …]}`.
    public mutating func metric(_ metric: Metric, runID: String? = nil) {
        raw("{\"key\":")
        string(metric.key)
        raw(",\"value\":")
        double(metric.value)
        raw(",\"timestamp\":")
        integer(metric.timestamp)
        raw(",\"step\":")
        integer(metric.step)
        if let modelID = metric.modelID {
            raw(",\"model_id\":")
            string(modelID)
        }
        if let datasetName = metric.datasetName, let datasetDigest = metric.datasetDigest {
            raw(",\"dataset_name\":")
            string(datasetName)
            raw(",\"dataset_digest\":")
            string(datasetDigest)
        }
        if let runID {
            raw(",\"run_id\":")
            string(runID)
        }
        raw("}")
    }

    /// `{"metrics": [...], "next_page_token": …}` with empty members left out, as MLflow answers
    /// `metrics/get-history` and `metrics/get-history-bulk-interval`.
    public static func metrics(_ metrics: [(metric: Metric, runID: String?)], nextPageToken: String? = nil) -> [UInt8] {
        var writer = JSONWriter(capacity: 16 + metrics.count * 72)
        writer.raw("{")
        if !metrics.isEmpty {
            writer.raw("\"metrics\":[")
            for (index, item) in metrics.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.metric(item.metric, runID: item.runID)
            }
            writer.raw("]")
        }
        if let nextPageToken {
            writer.raw(metrics.isEmpty ? "\"next_page_token\":" : ",\"next_page_token\":")
            writer.string(nextPageToken)
        }
        writer.raw("}")
        return writer.bytes
    }
}

extension JSONWriter {
    /// Any ``JSONValue``; object members in key order, so equal values write equal bytes.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let bool): bool ? raw("true") : raw("false")
        case .number(let text): bytes.append(contentsOf: text.utf8)
        case .string(let string): self.string(string)
        case .array(let items):
            raw("[")
            for (index, item) in items.enumerated() {
                if index > 0 { raw(",") }
                self.value(item)
            }
            raw("]")
        case .object(let members):
            raw("{")
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { raw(",") }
                string(key)
                raw(":")
                self.value(members[key]!)
            }
            raw("}")
        }
    }

    /// `value` as JSON bytes.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.value(value)
        return writer.bytes
    }
}

extension JSONValue {
    /// A JSON number for an integer.
    public static func integer(_ value: Int64) -> JSONValue { .number(String(value)) }

    /// A double as MLflow sends it: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    public static func double(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
        return .number(value.description)
    }

    /// `[{"key": …, "value": …}]` for key–value pairs (tags, params).
    public static func pairs(_ pairs: [(key: String, value: String)]) -> JSONValue {
        .array(pairs.map { .object(["key": .string($0.key), "value": .string($0.value)]) })
    }
}
