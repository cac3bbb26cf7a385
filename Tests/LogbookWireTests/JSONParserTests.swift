import Foundation
import LogbookCore
import LogbookWire
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    @Test("Valid documents parse to the same values Foundation reads")
    func validDocuments() throws {
        let text = #"""
            {"a": [1, -2.5e3, 0, true, false, null], "s": "tab\there \"quoted\" \\ \/ \u00e9 \ud83d\ude00",
             "nested": {"x": {}}, "empty": [], "big": 1700000000000123}
            """#
        let value = try JSONParser.parse(text)
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(
            members["a"]
                == .array([.number("1"), .number("-2.5e3"), .number("0"), .bool(true), .bool(false), .null]))
        #expect(members["s"] == .string("tab\there \"quoted\" \\ / é 😀"))
        #expect(members["nested"] == .object(["x": .object([:])]))
        #expect(members["empty"] == .array([]))
        // Int64 values keep every digit (a Double would round this one).
        #expect(members["big"] == .number("1700000000000123"))
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(foundation?["s"] as? String == "tab\there \"quoted\" \\ / é 😀")
    }

    @Test(
        "Invalid documents are BAD_REQUEST errors that say where",
        arguments: [
            "", "{", "{\"a\"}", "{\"a\": }", "[1,]", "{\"a\": 1,}", "01", "1.", "-", "1e", "tru", "nul", "\"open",
            "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"a\u{01}b\"", "{} {}", "{'a': 1}", "[1 2]", "NaN", "Infinity",
        ])
    func invalidDocuments(text: String) {
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            guard let error = error as? LogbookError else { return false }
            return error.code == .badRequest && error.message.contains("at byte")
        }
    }

    @Test("Invalid UTF-8 and deep nesting are refused")
    func hostileInput() {
        #expect(throws: LogbookError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: LogbookError.self) { try JSONParser.parse(String(repeating: "[", count: 200)) }
        #expect(throws: Never.self) {
            try JSONParser.parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
        }
    }
}

@Suite("Wire messages (lenient reading)")
struct WireMessageTests {
    @Test("Fields are read by snake_case or camelCase name, with MLflow's leniency")
    func lenientFields() throws {
        let message = try WireMessage(
            body: Array(
                #"{"runId": "r", "start_time": "17", "value": "NaN", "neg": "-Infinity", "step": 5.0, "flag": "true", "ids": ["one", 2], "status": 3}"#
                    .utf8))
        #expect(try message.requiredString("run_id") == "r")
        #expect(try message.int64("start_time") == 17)
        #expect(try message.double("value")?.isNaN == true)
        #expect(try message.double("neg") == -.infinity)
        #expect(try message.int64("step") == 5)
        #expect(try message.bool("flag") == true)
        #expect(try message.strings("ids") == ["one", "2"])
        #expect(try message.string("missing") == nil)
        #expect(try message.enumeration("status", [("RUNNING", 1, 1), ("FINISHED", 3, 3)]) == 3)
    }

    @Test("Types are checked as MLflow checks them, in its words (recorded from mlflow server 3.17.2)")
    func mlflowWords() throws {
        let message = try WireMessage(
            body: Array(
                #"{"run_id": 31, "key": "", "tags": "t", "ids": "one", "v": "abc", "p": {"b": [1.50, null], "a": "é"}}"#
                    .utf8))
        func words(_ read: (WireMessage) throws -> Any?) -> String? {
            do {
                _ = try read(message)
                return nil
            } catch let error as LogbookError {
                #expect(error.code == .invalidParameterValue)
                return error.message
            } catch { return "\(error)" }
        }
        let docs = " See the API docs for more information about request parameters."
        #expect(
            words { try $0.string("run_id") }
                == "Invalid value 31 for parameter 'run_id' supplied:  Hint: Value was of type 'int'." + docs)
        #expect(words { try $0.requiredString("key") } == "Missing value for required parameter 'key'." + docs)
        #expect(words { try $0.requiredString("absent") } == "Missing value for required parameter 'absent'." + docs)
        #expect(
            words { try $0.messages("tags") }
                == #"Invalid value "t" for parameter 'tags' supplied:  Hint: Value was of type 'str'."# + docs)
        #expect(
            words { try $0.strings("ids") }
                == #"Invalid value "one" for parameter 'ids' supplied:  Hint: Value was of type 'str'."# + docs,
            "in a JSON body, a list must be a list")
        #expect(
            words { try $0.double("v") }
                == #"Invalid value "abc" for parameter 'v' supplied:  Hint: Value was of type 'str'."# + docs)
        #expect(
            words { try $0.string("p") }
                == #"Invalid value {"a":"\u00e9","b":[1.5,null]} for parameter 'p' supplied:  Hint: Value was of type 'dict'."#
                + docs, "quoted as Python's json.dumps writes it")
    }

    @Test("Errors name the field by its path and give MLflow's hints")
    func errors() throws {
        let message = try WireMessage(
            body: Array(#"{"metrics": [{"key": "m", "value": 1}], "step": 1.5, "key": {"a": 1}}"#.utf8))
        let metrics = try message.messages("metrics")
        #expect {
            try metrics[0].requiredInt64("timestamp")
        } throws: { error in
            (error as? LogbookError)?.message.contains("'metrics[0].timestamp'") == true
        }
        #expect(throws: LogbookError.self) { try message.int64("step") }
        #expect {
            try message.string("key")
        } throws: { error in
            (error as? LogbookError)?.message.contains("Value was of type 'dict'") == true
        }
    }

    @Test("A query string is a message: repeated names are lists, '+' and %XX are decoded")
    func queryStrings() throws {
        let message = WireMessage(query: "run_ids=a&run_ids=b&name=two+words%21&empty=&flag")
        #expect(try message.strings("run_ids") == ["a", "b"])
        #expect(try message.string("name") == "two words!")
        #expect(try message.string("empty") == "")
        #expect(try message.string("flag") == "")
        #expect(WireMessage.percentDecode("a+b%2Fc") == "a+b/c")
    }

    @Test("A body that is a JSON string holding an object is read again; other non-objects are errors")
    func legacyBodies() throws {
        let legacy = try WireMessage(body: Array(#""{\"name\": \"x\"}""#.utf8))
        #expect(try legacy.string("name") == "x")
        #expect(try WireMessage(body: Array("  ".utf8)).members.isEmpty)
        #expect(throws: LogbookError.self) { try WireMessage(body: Array("[1]".utf8)) }
    }
}

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("Metric lists are valid JSON with the values written, NaN and infinity as strings, keys escaped")
    func metrics() throws {
        let points = [
            Metric(key: "a\"b\\c\nd\u{01}é", value: 0.1, timestamp: 1_700_000_000_000, step: -3),
            Metric(key: "nan", value: .nan, timestamp: 0), Metric(key: "inf", value: .infinity, timestamp: 0),
            Metric(key: "ninf", value: -.infinity, timestamp: 0), Metric(key: "tiny", value: 1e-300, timestamp: 0),
            Metric(key: "big", value: 2.5e20, timestamp: 0, step: Int64.max),
        ]
        let bytes = JSONWriter.metrics(points.map { ($0, "run") }, nextPageToken: "tok")
        // Foundation reads it: it is JSON.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["next_page_token"] as? String == "tok")
        let metrics = try #require(object["metrics"] as? [[String: Any]])
        #expect(metrics[0]["key"] as? String == "a\"b\\c\nd\u{01}é")
        #expect(metrics[0]["value"] as? Double == 0.1)
        #expect(metrics[0]["timestamp"] as? Int64 == 1_700_000_000_000)
        #expect(metrics[0]["step"] as? Int == -3)
        #expect(metrics[0]["run_id"] as? String == "run")
        #expect(metrics[1]["value"] as? String == "NaN")
        #expect(metrics[2]["value"] as? String == "Infinity")
        #expect(metrics[3]["value"] as? String == "-Infinity")
        #expect(metrics[4]["value"] as? Double == 1e-300)
        #expect(metrics[5]["value"] as? Double == 2.5e20)
        #expect(metrics[5]["step"] as? Int64 == Int64.max)
        #expect(JSONWriter.metrics([]) == Array("{}".utf8))
    }
}
