import LogbookCore

/// `RunBatch` in the journal's compact binary form: a training loop's chunks of 1000 points are
/// written and read back at millions of points per second, far faster than JSON.
///
/// Layout (little-endian): a count and the items of each list in turn. A metric is its key,
/// value bits, timestamp, step, and three optional strings (model id, dataset name and digest);
/// params and tags are key/value pairs. A string is a 32-bit byte count and UTF-8; an absent
/// optional string has the count `0xFFFF_FFFF`.
enum BatchCoding {
    static func encode(_ batch: RunBatch) -> [UInt8] {
        var writer = Writer()
        writer.bytes.reserveCapacity(16 + batch.metrics.count * 48)
        writer.integer(UInt32(batch.metrics.count))
        for metric in batch.metrics {
            writer.string(metric.key)
            writer.integer(metric.value.bitPattern)
            writer.integer(metric.timestamp)
            writer.integer(metric.step)
            writer.optional(metric.modelID)
            writer.optional(metric.datasetName)
            writer.optional(metric.datasetDigest)
        }
        writer.integer(UInt32(batch.params.count))
        for param in batch.params {
            writer.string(param.key)
            writer.string(param.value)
        }
        writer.integer(UInt32(batch.tags.count))
        for tag in batch.tags {
            writer.string(tag.key)
            writer.string(tag.value)
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> RunBatch {
        var reader = Reader(bytes: bytes)
        var batch = RunBatch()
        let metricCount = Int(try reader.integer(UInt32.self))
        batch.metrics.reserveCapacity(metricCount)
        for _ in 0..<metricCount {
            let key = try reader.string()
            let value = Double(bitPattern: try reader.integer(UInt64.self))
            let timestamp = try reader.integer(Int64.self)
            let step = try reader.integer(Int64.self)
            batch.metrics.append(
                Metric(
                    key: key, value: value, timestamp: timestamp, step: step, modelID: try reader.optional(),
                    datasetName: try reader.optional(), datasetDigest: try reader.optional()))
        }
        for _ in 0..<(try reader.integer(UInt32.self)) {
            batch.params.append(Param(key: try reader.string(), value: try reader.string()))
        }
        for _ in 0..<(try reader.integer(UInt32.self)) {
            batch.tags.append(RunTag(key: try reader.string(), value: try reader.string()))
        }
        guard reader.offset == bytes.count else { throw Journal.damaged("trailing bytes after a batch") }
        return batch
    }

    private static let absent = UInt32.max

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func integer<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func string(_ text: String) {
            var text = text
            text.withUTF8 { utf8 in
                integer(UInt32(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }

        mutating func optional(_ text: String?) {
            if let text { string(text) } else { integer(absent) }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            let size = MemoryLayout<T>.size
            guard offset + size <= bytes.count else { throw Journal.damaged("a batch ends early") }
            var value = T.zero
            withUnsafeMutableBytes(of: &value) { target in
                bytes.withUnsafeBytes { source in
                    target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + size]))
                }
            }
            offset += size
            return T(littleEndian: value)
        }

        mutating func string() throws -> String {
            let count = Int(try integer(UInt32.self))
            guard count != Int(absent) else { throw Journal.damaged("a required string is missing") }
            guard offset + count <= bytes.count else { throw Journal.damaged("a string runs past the batch") }
            defer { offset += count }
            return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
        }

        mutating func optional() throws -> String? {
            let start = offset
            if try integer(UInt32.self) == absent { return nil }
            offset = start
            return try string()
        }
    }
}
