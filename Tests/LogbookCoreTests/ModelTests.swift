import LogbookCore
import Testing

@Suite("Model")
struct ModelTests {
    @Test func summaryOrderIsStepThenTimestampThenValue() {
        let base = Metric(key: "m", value: 0.5, timestamp: 1000, step: 1)
        #expect(!Metric(key: "m", value: 0.7, timestamp: 2000, step: 0).supersedes(base))
        #expect(Metric(key: "m", value: 0.1, timestamp: 1, step: 2).supersedes(base))
        #expect(Metric(key: "m", value: 0.1, timestamp: 1001, step: 1).supersedes(base))
        #expect(Metric(key: "m", value: 0.6, timestamp: 1000, step: 1).supersedes(base))
        #expect(!Metric(key: "m", value: 0.4, timestamp: 1000, step: 1).supersedes(base))
        #expect(!Metric(key: "m", value: .nan, timestamp: 1000, step: 1).supersedes(base), "NaN ranks lowest")
        #expect(base.supersedes(Metric(key: "m", value: .nan, timestamp: 1000, step: 1)))
        #expect(Metric(key: "m", value: .infinity, timestamp: 1000, step: 1).supersedes(base))
    }

    @Test func metricEqualityTreatsNaNAsEqual() {
        #expect(Metric(key: "m", value: .nan, timestamp: 1) == Metric(key: "m", value: .nan, timestamp: 1))
        #expect(
            Set([Metric(key: "m", value: .nan, timestamp: 1), Metric(key: "m", value: .nan, timestamp: 1)]).count == 1)
        #expect(Metric(key: "m", value: 1, timestamp: 1) != Metric(key: "m", value: 1, timestamp: 2))
    }

    @Test func runStatusNumbersAndTermination() {
        #expect(RunStatus.allCases.map(\.protoNumber) == [1, 2, 3, 4, 5])
        #expect(RunStatus(protoNumber: 5) == .killed)
        #expect(RunStatus.allCases.filter(\.isTerminated) == [.finished, .failed, .killed])
    }

    @Test func generatedRunNamesHaveMLflowsShape() {
        for _ in 0..<500 {
            let name = RunNames.random()
            #expect(name.count <= 20)
            #expect(name.split(separator: "-").count == 3, "\(name)")
            #expect(name == name.lowercased())
        }
    }

    @Test func runIDsAreVersion4UUIDsInHex() {
        let ids = (0..<100).map { _ in RunNames.newRunID() }
        #expect(Set(ids).count == 100)
        for id in ids {
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit) && id == id.lowercased())
            #expect(Array(id)[12] == "4")
        }
    }

    @Test func pageTokensRoundTripAndRejectGarbage() throws {
        struct Position: Codable, Equatable {
            var a: Int64
            var b: String
        }
        let token = PageToken.encode(Position(a: 5, b: "x"))
        #expect(try PageToken.decode(token, as: Position.self) == Position(a: 5, b: "x"))
        #expect(throws: LogbookError.self) { try PageToken.decode("%%%", as: Position.self) }
        #expect(throws: LogbookError.self) { try PageToken.decode("eyJvZmZzZXQiOiAxfQ==", as: Position.self) }
    }

    @Test func viewTypes() {
        #expect(ViewType.activeOnly.includes(.active) && !ViewType.activeOnly.includes(.deleted))
        #expect(ViewType.deletedOnly.stages == [.deleted])
        #expect(ViewType.all.stages == [.active, .deleted])
    }
}
