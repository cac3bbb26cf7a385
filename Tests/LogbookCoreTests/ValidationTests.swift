import LogbookCore
import Testing

@Suite("Validation")
struct ValidationTests {
    @Test(arguments: [
        ("a", true), ("train/loss", true), ("a b", true), ("a:b", true), ("a.b-c_d", true), ("名前", true),
        ("a*b", false), ("a//b", false), ("a/./b", false), ("a/", false), ("/a", false), ("../x", false),
        ("a/../b", false), (".", false), ("", false), ("a\\b", false), ("tab\tkey", false),
    ])
    func keyRules(key: String, valid: Bool) {
        #expect((try? Validation.validateKey(key)) != nil ? valid : !valid, "\(key)")
    }

    @Test func keyLengthLimit() throws {
        try Validation.validateKey(String(repeating: "k", count: 250))
        let error = #expect(throws: LogbookError.self) {
            try Validation.validateKey(String(repeating: "k", count: 251), kind: "Param key")
        }
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message.contains("250") == true)
    }

    @Test func invalidCharacterMessageNamesTheKey() {
        let error = #expect(throws: LogbookError.self) { try Validation.validateKey("a*b") }
        #expect(error?.message.contains("\"a*b\"") == true)
        #expect(error?.message.contains("alphanumerics") == true)
    }

    @Test func pathRuleMessageSaysWhatTheNameResolvesTo() {
        let error = #expect(throws: LogbookError.self) { try Validation.validateKey("a/b/../c") }
        #expect(error?.message.contains("would resolve to 'a/c'") == true)
    }

    @Test func truncationPolicy() throws {
        let long = Param(key: "p", value: String(repeating: "x", count: 7000))
        #expect(try Validation(longValues: .truncate).validated(long).value.count == 6000)
        #expect(throws: LogbookError.self) { try Validation(longValues: .reject).validated(long) }
        let tag = RunTag(key: "t", value: String(repeating: "y", count: 9000))
        #expect(try Validation().validated(tag).value.count == 8000)
    }

    @Test func longValuePolicyFromEnvironment() throws {
        #expect(try LongValuePolicy.fromEnvironment([:]) == .truncate)
        #expect(try LongValuePolicy.fromEnvironment(["MLFLOW_TRUNCATE_LONG_VALUES": "false"]) == .reject)
        #expect(
            try LongValuePolicy.fromEnvironment([
                "LOGBOOK_TRUNCATE_LONG_VALUES": "1", "MLFLOW_TRUNCATE_LONG_VALUES": "false",
            ]) == .truncate)
        #expect(throws: LogbookError.self) {
            try LongValuePolicy.fromEnvironment(["MLFLOW_TRUNCATE_LONG_VALUES": "yes"])
        }
    }

    @Test func runIDShape() throws {
        try Validation.validateRunID(RunNames.newRunID())
        try Validation.validateRunID("abc-123_x")
        for bad in ["", "-abc", "a b", "a/b", String(repeating: "a", count: 257)] {
            #expect(throws: LogbookError.self, "\(bad)") { try Validation.validateRunID(bad) }
        }
    }

    @Test func experimentIDsAreIntegers() throws {
        #expect(try Validation.experimentNumber("12") == 12)
        let error = #expect(throws: LogbookError.self) { try Validation.experimentNumber("x") }
        #expect(error?.message.contains("must be a valid integer") == true)
    }

    @Test func maxResultsBounds() throws {
        try Validation.validateMaxResults(1)
        try Validation.validateMaxResults(50_000)
        #expect(throws: LogbookError.self) { try Validation.validateMaxResults(0) }
        #expect(throws: LogbookError.self) { try Validation.validateMaxResults(50_001) }
    }
}
