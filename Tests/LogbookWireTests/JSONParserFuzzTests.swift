import Foundation
import LogbookCore
import LogbookTesting
import LogbookWire
import Testing

/// The request reader (`JSONParser`, then `WireMessage`) against Foundation's `JSONSerialization`
/// on random and mutated documents: where both read a document they read the same values; where
/// either refuses it, the other refuses it too (or the difference is one of the few listed
/// below); and nothing crashes. A failure names its seed: `LOGBOOK_TEST_SEED=<seed>` replays it.
@Suite("JSON parser fuzzed against JSONSerialization")
struct JSONParserFuzzTests {
    @Test func sameValuesOrCleanErrorsOnRandomDocuments() {
        var random = SeededGenerator.fromEnvironment()
        var bothRead = 0
        var bothRefused = 0
        for round in 0..<20_000 {
            var bytes = Array(Self.document(&random, depth: 0).utf8)
            if random.chance(0.5) { Self.mutate(&bytes, &random) }
            let context =
                "seed \(random.seed) (LOGBOOK_TEST_SEED), round \(round): \(String(decoding: bytes, as: UTF8.self))"

            let ours = Result { () throws(LogbookError) in try JSONParser.parse(bytes) }
            let foundation = Result { try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) }
            switch (ours, foundation) {
            case (.success(let value), .success(let object)):
                bothRead += 1
                #expect(Self.same(value, object), "\(context)\nours: \(value)\nFoundation: \(object)")
                // Reading fields never traps, whatever the document holds.
                if let message = try? WireMessage(body: bytes) {
                    _ = try? message.logBatch()
                    _ = try? message.metric()
                    _ = try? message.runID()
                }
            case (.failure(let error), .failure):
                bothRefused += 1
                #expect(error.code == .badRequest, "\(context)")
            case (.success(let value), .failure):
                #expect(Self.acceptedOnlyByUs(value), "only our parser read it: \(context)")
            case (.failure(let error), .success):
                #expect(Self.refusedOnlyByUs(bytes), "only Foundation read it (\(error.message)): \(context)")
            }
        }
        #expect(bothRead > 5_000 && bothRefused > 2_000, "read \(bothRead), refused \(bothRefused)")
    }

    /// Whether a value read by our parser equals what Foundation read.
    static func same(_ value: JSONValue, _ object: Any) -> Bool {
        switch value {
        case .null:
            return object is NSNull
        case .bool(let flag):
            guard let number = object as? NSNumber, Self.isBool(number) else { return false }
            return number.boolValue == flag
        case .number(let text):
            guard let number = object as? NSNumber, !Self.isBool(number), let double = Double(text) else {
                return false
            }
            // Foundation keeps long mantissas as decimals, whose doubleValue may be off by an ulp:
            // its own text of the number is compared, read the same way as ours.
            let theirs = number.description
            if let exact = Int64(text), let their = Int64(theirs) { return exact == their }
            guard let their = Double(theirs) else { return false }
            return their == double || abs(their - double) <= abs(double) * 1e-15
        case .string(let string):
            return (object as? String) == string
        case .array(let items):
            guard let objects = object as? [Any], objects.count == items.count else { return false }
            return zip(items, objects).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let objects = object as? [String: Any], objects.count == members.count else { return false }
            return members.allSatisfy { key, member in objects[key].map { same(member, $0) } ?? false }
        }
    }

    /// Foundation's booleans are their own subclass of NSNumber (`__NSCFBoolean`, type "c");
    /// long numbers are another (`NSDecimalNumber`).
    static func isBool(_ number: NSNumber) -> Bool {
        type(of: number) != NSNumber.self && !(number is NSDecimalNumber) && String(cString: number.objCType) == "c"
    }

    /// What our parser reads and Foundation refuses, on purpose: numbers beyond a double's range
    /// (kept as text here, refused there).
    static func acceptedOnlyByUs(_ value: JSONValue) -> Bool {
        switch value {
        case .number(let text): Double(text).map { !$0.isFinite } ?? true
        case .array(let items): items.contains(where: acceptedOnlyByUs)
        case .object(let members): members.values.contains(where: acceptedOnlyByUs)
        default: false
        }
    }

    /// What Foundation reads and our parser refuses, on purpose: nesting deeper than
    /// ``JSONParser/maxDepth``; a trailing comma (`[1,]`, which JSON does not allow); bytes that
    /// Foundation takes for UTF-16 or UTF-32 (a NUL among the first four; bodies are UTF-8).
    static func refusedOnlyByUs(_ bytes: [UInt8]) -> Bool {
        var depth = 0
        var deepest = 0
        for byte in bytes {
            if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth += 1 }
            if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { depth -= 1 }
            deepest = max(deepest, depth)
        }
        let significant = bytes.filter { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        let trailingComma = zip(significant, significant.dropFirst()).contains { pair in
            pair.0 == UInt8(ascii: ",") && (pair.1 == UInt8(ascii: "]") || pair.1 == UInt8(ascii: "}"))
        }
        return deepest > JSONParser.maxDepth || trailingComma || bytes.prefix(4).contains(0)
    }

    // MARK: Documents

    static func document(_ random: inout SeededGenerator, depth: Int) -> String {
        let kinds = depth > 5 ? 5 : 7
        switch random.int(0...(kinds - 1)) {
        case 0: return "null"
        case 1: return random.chance(0.5) ? "true" : "false"
        case 2, 3: return number(&random)
        case 4: return string(&random)
        case 5:
            let items = (0..<random.int(0...4)).map { _ in document(&random, depth: depth + 1) }
            return "[" + items.joined(separator: random.pick([",", ", ", " ,\n"])) + "]"
        default:
            let members = (0..<random.int(0...4)).map { _ in
                string(&random) + random.pick([":", ": ", " :\t"]) + document(&random, depth: depth + 1)
            }
            return "{" + members.joined(separator: random.pick([",", ",\n "])) + "}"
        }
    }

    static func number(_ random: inout SeededGenerator) -> String {
        switch random.int(0...5) {
        case 0: return String(random.int(-1000...1000))
        case 1: return String(Int64.random(in: Int64.min...Int64.max, using: &random))
        case 2: return String(Double.random(in: -1e6...1e6, using: &random))
        case 3: return "\(random.int(0...9)).\(random.int(0...999))e\(random.pick(["", "+", "-"]))\(random.int(0...30))"
        case 4: return random.pick(["0", "-0", "0.0", "1E2", "-1.5e-3", "1700000000000123"])
        default: return "\(random.int(1...9))\(String(repeating: "0", count: random.int(0...25)))"
        }
    }

    static func string(_ random: inout SeededGenerator) -> String {
        let pieces = [
            "a", "loss", "run_id", " ", "é", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00",
            "\\u0000", "key.with.dots", "\\b", "\\f", "\\r", "中",
        ]
        return "\"" + (0..<random.int(0...5)).map { _ in random.pick(pieces) }.joined() + "\""
    }

    /// Breaks a document the ways bodies get broken: a byte changed, dropped, doubled or inserted,
    /// or the body cut short.
    static func mutate(_ bytes: inout [UInt8], _ random: inout SeededGenerator) {
        guard !bytes.isEmpty else {
            bytes = [random.pick(Array("{}[]\",:0-e".utf8))]
            return
        }
        let index = random.int(0...(bytes.count - 1))
        switch random.int(0...4) {
        case 0: bytes[index] = random.pick(Array("{}[]\",:0-.eE\\u \u{7F}".utf8) + [0x00, 0xC3, 0xFF, 0x80])
        case 1: bytes.remove(at: index)
        case 2: bytes.insert(bytes[index], at: index)
        case 3: bytes.insert(random.pick(Array("{}[]\",:1e+-tfn\\".utf8)), at: index)
        default: bytes.removeSubrange(index...)
        }
    }
}
