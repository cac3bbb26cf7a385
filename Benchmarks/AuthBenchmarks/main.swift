// What `logbook server --auth` costs a training loop: the same requests to two `logbook server`
// processes (release) side by side, one without authentication and one with, signed in by an
// access token and by HTTP Basic (whose verified password the server remembers). Also bcrypt's
// own time per password check, which is what every Basic request would cost without that cache.
// Run: swift build -c release --product logbook && swift run -c release AuthBenchmarks [work dir]
import BenchmarkSupport
import Foundation
import HummingbirdBcrypt
import LogbookCore
import LogbookSQLite

let directory = try benchmarkDirectory("auth-bench")
let password = "benchmark admin password"
let plain = try ServerProcess(
    arguments: ["--backend-store-uri", directory + "/plain.db", "--artifacts-destination", directory + "/a1"],
    directory: directory)
let secured = try ServerProcess(
    arguments: ["--auth", "--backend-store-uri", directory + "/auth.db", "--artifacts-destination", directory + "/a2"],
    directory: directory, environment: ["LOGBOOK_ADMIN_USERNAME": "admin", "LOGBOOK_ADMIN_PASSWORD": password])
defer {
    plain.stop()
    secured.stop()
}

let basic = "Basic " + Data("admin:\(password)".utf8).base64EncodedString()
let tokenSecret: String
do {
    let connection = try HTTPConnection(port: secured.port)
    connection.headers = [("Authorization", basic)]
    let response = try connection.request("POST", "/api/2.0/logbook/tokens/create", body: json(#"{"name": "bench"}"#))
    response.expectOK("token")
    let text = String(decoding: response.body, as: UTF8.self)
    tokenSecret = String(text[text.range(of: #""secret":""#)!.upperBound...].prefix { $0 != "\"" })
}

/// A keep-alive connection to a server, signed in as `credential` says.
func connect(_ credential: String) throws -> HTTPConnection {
    switch credential {
    case "none":
        return try HTTPConnection(port: plain.port)
    case "token":
        let connection = try HTTPConnection(port: secured.port)
        connection.headers = [("Authorization", "Bearer \(tokenSecret)")]
        return connection
    default:
        let connection = try HTTPConnection(port: secured.port)
        connection.headers = [("Authorization", basic)]
        return connection
    }
}

let credentials = ["none", "token", "basic"]
let names = ["none": "no auth", "token": "token", "basic": "Basic (cached)"]

/// log-batch: 200 requests of 1000 points (10 keys × 100 steps, a training loop's shape).
func batchRate(_ credential: String) throws -> Double {
    let connection = try connect(credential)
    let runID = try createRun(connection)
    let bodies = (0..<200).map { loopBody(runID: runID, keys: 10, from: $0 * 100, count: 1000) }
    let start = ContinuousClock.now
    for body in bodies {
        try connection.request("POST", "/api/2.0/mlflow/runs/log-batch", body: body).expectOK("log-batch")
    }
    return 200_000 / (ContinuousClock.now - start).seconds
}

/// log-metric, one point per request, sequential.
func metricRate(_ credential: String) throws -> Double {
    let connection = try connect(credential)
    let runID = try createRun(connection)
    let bodies = (0..<2000).map {
        json(
            #"{"run_id": "\#(runID)", "key": "acc", "value": 0.5, "timestamp": \#(1_700_000_000_000 + $0), "step": \#($0)}"#
        )
    }
    let start = ContinuousClock.now
    for body in bodies {
        try connection.request("POST", "/api/2.0/mlflow/runs/log-metric", body: body).expectOK("log-metric")
    }
    return 2000 / (ContinuousClock.now - start).seconds
}

// Warm both servers up, then alternate the kinds of caller within each round, so that a machine
// that speeds up or slows down during the run favours none of them; the ratios are taken within a
// round (the same minute) and their median reported with their range.
for credential in credentials { _ = try batchRate(credential) }
var batchRatios: [String: [Double]] = [:]
var metricCosts: [String: [Double]] = [:]
var plainBatch: [Double] = []
var plainMetric: [Double] = []
for _ in 0..<9 {
    var batch: [String: Double] = [:]
    var metric: [String: Double] = [:]
    for credential in credentials {
        batch[credential] = try batchRate(credential)
        metric[credential] = try metricRate(credential)
    }
    plainBatch.append(batch["none"]!)
    plainMetric.append(1e6 / metric["none"]!)
    for credential in credentials.dropFirst() {
        batchRatios[credential, default: []].append(batch[credential]! / batch["none"]!)
        metricCosts[credential, default: []].append(1e6 / metric[credential]! - 1e6 / metric["none"]!)
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

report("log-batch 10 keys × 100 steps, no auth", String(format: "%.0f points/s (median of 9)", median(plainBatch)))
for credential in credentials.dropFirst() {
    let ratios = batchRatios[credential]!
    report(
        "log-batch 10 keys × 100 steps, \(names[credential]!)",
        String(
            format: "%.0f%% of no auth (rounds %.0f–%.0f%%)", median(ratios) * 100, ratios.min()! * 100,
            ratios.max()! * 100))
}
report("log-metric sequential, no auth", String(format: "%.0f µs per call", median(plainMetric)))
for credential in credentials.dropFirst() {
    report(
        "log-metric sequential, \(names[credential]!)",
        String(format: "%+.0f µs per call vs no auth", median(metricCosts[credential]!)))
}

// bcrypt alone, at the server's cost (12): what each Basic request would take without the cache.
do {
    let hash = Bcrypt.hash(password, cost: 12)
    let start = ContinuousClock.now
    for _ in 0..<5 { precondition(Bcrypt.verify(password, hash: hash)) }
    let each = (ContinuousClock.now - start).seconds / 5
    report(
        "bcrypt cost 12, one check",
        String(format: "%.0f ms: %.1f Basic requests/s per core if each paid it", each * 1000, 1 / each))
}

// The store lookups a signed-in write makes (token → user, run → experiment, grant), in this
// process on a SQLite file of its own: what authorization adds before the write itself.
do {
    let store = try SQLiteStore(path: directory + "/lookups.db")
    let user = try await store.createUser(username: "u", passwordHash: "h", isAdmin: false)
    _ = try await store.createToken(
        userID: user.id, kind: .token, name: "t", digest: "d", creationTime: 0, expiryTime: nil)
    let runID = try await store.createRun(RunCreation()).id
    try await store.setPermission(.edit, experimentID: "0", userID: user.id)
    let calls = 5000
    let start = ContinuousClock.now
    for _ in 0..<calls {
        _ = try await store.token(digest: "d")
        _ = try await store.permission(runID: runID, userID: user.id)
    }
    let each = (ContinuousClock.now - start).seconds / Double(calls)
    report("lookups per signed-in write (token, run's grant)", String(format: "%.0f µs", each * 1e6))
    try store.close()
}
