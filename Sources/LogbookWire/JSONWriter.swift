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

    /// `{"key": …, "value": …, "timestamp": …, "step": …[, "run_id": …]}`.
    public mutating func metric(_ metric: Metric, runID: String? = nil) {
        raw("{\"key\":")
        string(metric.key)
        raw(",\"value\":")
        double(metric.value)
        raw(",\"timestamp\":")
        integer(metric.timestamp)
        raw(",\"step\":")
        integer(metric.step)
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
