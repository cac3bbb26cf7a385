import Foundation
import LogbookCore
import LogbookTesting
import LogbookWire
import Testing

/// The direct reader against the generic one (`WireMessage`) on random and mutated bodies: where
/// it answers, it gives the generic reader's values; where the generic reader fails, it steps aside
/// (so the error, wording and field path included, is always the generic reader's).
@Suite("Reading write bodies directly")
struct DirectReaderTests {
    @Test func agreesWithTheGenericReaderOnRandomBodies() {
        var random = SeededGenerator.fromEnvironment()
        var answered = 0
        var rejected = 0
        let rounds = 20_000
        for round in 0..<rounds {
            var body = Array(Self.document(&random).utf8)
            if random.chance(0.2) { Self.mutate(&body, &random) }
            let kind = round % 4
            let context =
                "seed \(random.seed) (LOGBOOK_TEST_SEED), round \(round): \(String(decoding: body, as: UTF8.self))"
            switch kind {
            case 0:
                let generic = Result { () throws(LogbookError) in try WireMessage(body: body).logBatch() }
                let direct = DirectReader.logBatch(body)
                if let direct {
                    answered += 1
                    let expected = try? generic.get()
                    #expect(expected?.runID == direct.runID && expected?.batch == direct.batch, "\(context)")
                } else if case .failure = generic {
                    rejected += 1
                }
            case 1:
                let generic = Result { () throws(LogbookError) in
                    let message = try WireMessage(body: body)
                    return (try message.runID(), try message.metric())
                }
                if let direct = DirectReader.logMetric(body) {
                    answered += 1
                    let expected = try? generic.get()
                    #expect(expected?.0 == direct.runID && expected?.1 == direct.metric, "\(context)")
                }
            case 2:
                let generic = Result { () throws(LogbookError) in
                    let message = try WireMessage(body: body)
                    return (try message.runID(), try message.param())
                }
                if let direct = DirectReader.logParam(body) {
                    answered += 1
                    let expected = try? generic.get()
                    #expect(expected?.0 == direct.runID && expected?.1 == direct.param, "\(context)")
                }
            default:
                let generic = Result { () throws(LogbookError) in
                    let message = try WireMessage(body: body)
                    return (try message.runID(), try message.runTag())
                }
                if let direct = DirectReader.setTag(body) {
                    answered += 1
                    let expected = try? generic.get()
                    #expect(expected?.0 == direct.runID && expected?.1 == direct.tag, "\(context)")
                }
            }
        }
        // Both paths are exercised: the reader answers the common shapes and steps aside on others.
        #expect(answered > rounds / 10, "direct answers: \(answered)")
        #expect(rejected > rounds / 50, "generic rejections seen: \(rejected)")
    }

    @Test func readsWhatTheClientsSend() throws {
        let body = Array(
            #"{"run_id": "r1", "metrics": [{"key": "loss", "value": 0.25, "timestamp": 1700000000000, "step": 3}, {"key": "loss", "value": "NaN", "timestamp": 1, "step": -2}, {"key": "acc", "value": 1e-3, "timestamp": 2}], "params": [{"key": "lr", "value": "0.1"}], "tags": [{"key": "t", "value": "é"}]}"#
                .utf8)
        let read = try #require(DirectReader.logBatch(body))
        #expect(read.runID == "r1")
        #expect(
            read.batch.metrics == [
                Metric(key: "loss", value: 0.25, timestamp: 1_700_000_000_000, step: 3),
                Metric(key: "loss", value: .nan, timestamp: 1, step: -2),
                Metric(key: "acc", value: 0.001, timestamp: 2, step: 0),
            ])
        #expect(read.batch.params == [Param(key: "lr", value: "0.1")])
        #expect(read.batch.tags == [RunTag(key: "t", value: "é")])
        let metric = try #require(
            DirectReader.logMetric(Array(#"{"run_uuid": "r2", "key": "m", "value": -0.0, "timestamp": 5}"#.utf8)))
        #expect(metric.runID == "r2" && metric.metric.value.sign == .minus && metric.metric.step == 0)
        // Both spellings of one field, an escape, a string timestamp: left to the generic reader.
        #expect(DirectReader.logBatch(Array(#"{"run_id": "a", "runId": "a"}"#.utf8)) == nil)
        #expect(DirectReader.setTag(Array(#"{"run_id": "a", "key": "k\n", "value": "v"}"#.utf8)) == nil)
        #expect(
            DirectReader.logMetric(Array(#"{"run_id": "a", "key": "k", "value": 1, "timestamp": "5"}"#.utf8)) == nil)
    }

    // MARK: Random documents

    static let names = [
        "run_id", "runId", "run_uuid", "runUuid", "metrics", "params", "tags", "key", "value", "timestamp", "step",
        "model_id", "extra", "é",
    ]

    /// Half the bodies are well formed, as clients send them; the rest are anything.
    static func document(_ random: inout SeededGenerator) -> String {
        random.chance(0.5) ? clean(&random) : messy(&random)
    }

    static func clean(_ random: inout SeededGenerator) -> String {
        func point() -> String {
            var fields = [
                "\"key\": \(random.pick(["\"loss\"", "\"acc\"", "\"é/x\""]))",
                "\"value\": \(random.pick(["0.25", "1", "-3.5e-2", "1e21", "\"NaN\"", "\"-Infinity\"", String(Double(random.int(-99...99)) / 3)]))",
                "\"timestamp\": \(1_700_000_000_000 + random.int(0...1000))",
            ]
            if random.chance(0.8) { fields.append("\"step\": \(random.int(-2...100_000))") }
            if random.chance(0.1) { fields.append("\"model_id\": \"m-1\"") }
            fields.shuffle(using: &random)
            return "{" + fields.joined(separator: random.pick([",", ", "])) + "}"
        }
        func pair() -> String {
            "{\"key\": \"k\(random.int(0...3))\"\(random.chance(0.9) ? ", \"value\": \"v\(random.int(0...9))\"" : "")}"
        }
        var members = [
            "\"\(random.pick(["run_id", "run_id", "runId"]))\": \"0123abcd\"",
            "\"metrics\": [" + (0..<random.int(0...5)).map { _ in point() }.joined(separator: ", ") + "]",
            "\"key\": \"loss\"", "\"value\": \(random.pick(["0.5", "\"Infinity\"", "7"]))",
            "\"timestamp\": \(random.int(0...99))",
        ]
        if random.chance(0.5) {
            members.append("\"params\": [" + (0..<random.int(0...3)).map { _ in pair() }.joined(separator: ",") + "]")
        }
        if random.chance(0.5) {
            members.append("\"tags\": [" + (0..<random.int(0...3)).map { _ in pair() }.joined(separator: ",") + "]")
        }
        if random.chance(0.3) { members.append("\"run_uuid\": \"0123abcd\"") }
        if random.chance(0.3) { members.append("\"step\": \(random.int(0...9))") }
        members.shuffle(using: &random)
        return "{" + members.joined(separator: ", ") + "}"
    }

    static func messy(_ random: inout SeededGenerator) -> String {
        if random.chance(0.03) { return random.pick(["", "[]", "\"{}\"", "null", "{", "{\"run_id\": \"x\"} x"]) }
        var members: [String] = []
        for _ in 0..<random.int(0...5) {
            let name = random.chance(0.85) ? random.pick(names) : random.pick(["", "a\\u00e9", "x y", "metric"])
            members.append("\"\(name)\": \(value(for: name, &random, depth: 0))")
        }
        if random.chance(0.5) { members.insert(#""run_id": "0123abcd""#, at: 0) }
        if random.chance(0.6) {
            members.append(
                #""metrics": [\#((0..<random.int(0...4)).map { _ in item(&random) }.joined(separator: ", "))]"#)
        }
        if random.chance(0.4) { members.append(#""key": "loss", "value": 0.5, "timestamp": 17"#) }
        members.shuffle(using: &random)
        let space = random.pick(["", " ", "\n  "])
        return "{" + space + members.joined(separator: "," + space) + space + "}"
    }

    static func item(_ random: inout SeededGenerator) -> String {
        if random.chance(0.05) { return random.pick(["1", "\"m\"", "null", "[]"]) }
        var fields: [String] = []
        for name in ["key", "value", "timestamp", "step"] where random.chance(0.9) {
            fields.append("\"\(name)\": \(value(for: name, &random, depth: 1))")
        }
        if random.chance(0.1) { fields.append("\"\(random.pick(names))\": \(scalar(&random))") }
        fields.shuffle(using: &random)
        return "{" + fields.joined(separator: ", ") + "}"
    }

    static func value(for name: String, _ random: inout SeededGenerator, depth: Int) -> String {
        if random.chance(0.15) { return scalar(&random) }
        switch name {
        case "metrics", "params", "tags":
            guard depth == 0 else { return scalar(&random) }
            if random.chance(0.1) { return random.pick(["null", "{}", "\"x\"", "[1]"]) }
            return "[" + (0..<random.int(0...3)).map { _ in item(&random) }.joined(separator: ",") + "]"
        case "value", "timestamp", "step": return number(&random)
        default: return string(&random)
        }
    }

    static func scalar(_ random: inout SeededGenerator) -> String {
        random.pick([number(&random), string(&random), "true", "false", "null", "{\"a\": 1}", "[]"])
    }

    static func number(_ random: inout SeededGenerator) -> String {
        random.pick([
            String(random.int(-5...5)), String(random.int(0...Int(Int32.max)) * 1000), "1700000000000",
            String(Double(random.int(-1000...1000)) / 7), "1e3", "5.0", "-0", "-0.0", "0.1", "1.5e-7", "2E+22",
            "123456789012345678", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "0.30000000000000004", "1e400", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"nan\"", "\"1.5\"",
            "\"12\"", "\"\"", "01", "1.", "-", "+1",
        ])
    }

    static func string(_ random: inout SeededGenerator) -> String {
        random.pick([
            "\"loss\"", "\"acc\"", "\"0123abcd\"", "\"\"", "\"é\"", "\"a\\nb\"", "\"\\u00e9\"", "\"tab\tx\"",
            "\"q\\\"\"", "42", "\"\\ud800\"",
        ])
    }

    static func mutate(_ body: inout [UInt8], _ random: inout SeededGenerator) {
        guard !body.isEmpty else { return }
        let index = random.int(0...(body.count - 1))
        switch random.int(0...3) {
        case 0: body.remove(at: index)
        case 1: body.insert(random.pick(Array("{}[],:\"\\ 0e-".utf8) + [0xC3, 0xFF, 0x00]), at: index)
        case 2: body[index] = random.pick(Array("{}[],:\"0 aé".utf8))
        default: body = Array(body[0..<index])
        }
    }
}
