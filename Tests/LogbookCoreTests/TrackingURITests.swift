import Foundation
import LogbookCore
import Testing

@Suite("Tracking URI")
struct TrackingURITests {
    @Test func sqliteURIsReadAsSQLAlchemyReadsThem() throws {
        #expect(
            try TrackingURI("sqlite:///mlflow.db", workingDirectory: "/work/x") == .sqlite(path: "/work/x/mlflow.db"))
        #expect(
            try TrackingURI("sqlite:////data/runs.db", workingDirectory: "/work/x") == .sqlite(path: "/data/runs.db"))
        #expect(
            try TrackingURI("sqlite:///sub/dir/a.db", workingDirectory: "/work/x")
                == .sqlite(path: "/work/x/sub/dir/a.db"))
    }

    @Test func plainPathsNameSQLiteFiles() throws {
        #expect(try TrackingURI("runs.db", workingDirectory: "/w") == .sqlite(path: "/w/runs.db"))
        #expect(try TrackingURI("/abs/runs.db", workingDirectory: "/w") == .sqlite(path: "/abs/runs.db"))
        #expect(try TrackingURI("./a/../b.db", workingDirectory: "/w") == .sqlite(path: "/w/b.db"))
    }

    @Test(arguments: ["mysql://host/db", "s3://bucket/x", "databricks://profile", "ftp://x/y"])
    func unknownSchemesAreClearErrors(uri: String) {
        let error = #expect(throws: LogbookError.self) { try TrackingURI(uri) }
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message.contains("sqlite:///") == true, "the message names the accepted forms")
    }

    @Test func serverURIs() throws {
        #expect(try TrackingURI("http://127.0.0.1:5000") == .rest(url: URL(string: "http://127.0.0.1:5000")!))
        #expect(try TrackingURI("https://mlflow.example.com/prefix").description == "https://mlflow.example.com/prefix")
        #expect(throws: LogbookError.self) { try TrackingURI("http://") }
    }

    @Test func malformedSQLiteURIIsAnError() {
        #expect(throws: LogbookError.self) { try TrackingURI("sqlite://") }
        #expect(throws: LogbookError.self) { try TrackingURI("sqlite://relative.db") }
        #expect(throws: LogbookError.self) { try TrackingURI("  ") }
    }

    @Test func environmentPrecedence() throws {
        let cwd = "/w"
        #expect(try TrackingURI.fromEnvironment([:], workingDirectory: cwd) == .sqlite(path: "/w/logbook.db"))
        #expect(
            try TrackingURI.fromEnvironment(["MLFLOW_TRACKING_URI": "sqlite:///m.db"], workingDirectory: cwd)
                == .sqlite(path: "/w/m.db"))
        #expect(
            try TrackingURI.fromEnvironment(
                ["MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"], workingDirectory: cwd)
                == .rest(url: URL(string: "http://127.0.0.1:5000")!),
            "an MLflow server URI is a server to log into")
        #expect(
            try TrackingURI.fromEnvironment(["MLFLOW_TRACKING_URI": "mlruns"], workingDirectory: cwd)
                == .sqlite(path: "/w/logbook.db"),
            "MLflow's file store is not read: fall back to the default")
        #expect(
            try TrackingURI.fromEnvironment(
                ["LOGBOOK_TRACKING_URI": "l.db", "MLFLOW_TRACKING_URI": "sqlite:///m.db"], workingDirectory: cwd)
                == .sqlite(path: "/w/l.db"))
    }
}
