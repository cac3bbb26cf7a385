import Foundation
import GRDB
import LogbookCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One process's offline journal: a SQLite file of the writes waiting for a tracking server, in
/// the order they were made, and the server ids of the runs created offline that have reached it.
///
/// A journal belongs to the process that made it, which holds an exclusive lock (`flock` on a
/// `.lock` file beside it) for as long as the journal is open; the lock goes when the process
/// ends, however it ends, and then `logbook sync` may open the journal and send what is left.
/// Each append is a committed transaction in write-ahead-log mode: a point the store accepted
/// survives the process being killed.
///
/// Thread safety: GRDB's `DatabaseQueue` serializes every access; the lock descriptor is
/// immutable.
final class Journal: Sendable {
    /// The journal file.
    let path: String
    /// The tracking URI the writes are meant for.
    let trackingURI: String
    private let queue: DatabaseQueue
    private let lock: Int32

    /// A journal as read back: its sequence number and entry.
    struct Stored: Sendable {
        var sequence: Int64
        var entry: JournalEntry
    }

    private init(path: String, trackingURI: String, queue: DatabaseQueue, lock: Int32) {
        self.path = path
        self.trackingURI = trackingURI
        self.queue = queue
        self.lock = lock
    }

    deinit { close(lock) }

    static func damaged(_ what: String) -> LogbookError {
        LogbookError(.internalError, "The offline journal cannot be read: \(what).")
    }

    /// The journal files in `directory`, oldest first.
    static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".journal") }.sorted().map { directory + "/" + $0 }
    }

    /// Starts a new journal in `directory` for writes meant for `trackingURI`.
    static func create(in directory: String, trackingURI: String) throws -> Journal {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LogbookError(
                .internalError,
                "Cannot create the offline journal directory \(directory): \(error.localizedDescription)")
        }
        let stamp = Int64(Date().timeIntervalSince1970 * 1000)
        let path = "\(directory)/\(stamp)-\(getpid())-\(UUID().uuidString.prefix(8).lowercased()).journal"
        guard let lock = try lockFile(for: path) else {
            throw LogbookError(.internalError, "Cannot lock the new offline journal \(path).")
        }
        let queue = try openDatabase(path)
        do {
            try queue.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                        CREATE TABLE entries (
                            sequence INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER NOT NULL,
                            run_id TEXT NOT NULL, body BLOB NOT NULL, points INTEGER NOT NULL);
                        CREATE TABLE run_ids (local_id TEXT PRIMARY KEY, server_id TEXT NOT NULL);
                        """)
                try db.execute(
                    sql: "INSERT INTO meta (key, value) VALUES ('format', '1'), ('tracking_uri', ?), ('pid', ?)",
                    arguments: [trackingURI, String(getpid())])
            }
        } catch {
            close(lock)
            throw failure(error, path)
        }
        return Journal(path: path, trackingURI: trackingURI, queue: queue, lock: lock)
    }

    /// Opens a journal no running process holds; `nil` when one does.
    static func openUnlocked(_ path: String) throws -> Journal? {
        guard let lock = try lockFile(for: path) else { return nil }
        do {
            let queue = try openDatabase(path)
            let uri = try queue.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'tracking_uri'")
            }
            guard let uri else { throw damaged("\(path) names no tracking URI") }
            return Journal(path: path, trackingURI: uri, queue: queue, lock: lock)
        } catch {
            close(lock)
            throw failure(error, path)
        }
    }

    private static func openDatabase(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw failure(error, path)
        }
    }

    /// Takes the journal's lock without waiting; `nil` when another process holds it.
    private static func lockFile(for path: String) throws -> Int32? {
        let descriptor = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LogbookError(
                .internalError, "Cannot open \(path).lock: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    private static func failure(_ error: any Error, _ path: String) -> LogbookError {
        if let error = error as? LogbookError { return error }
        if let error = error as? DatabaseError {
            return LogbookError(.internalError, "The offline journal \(path) failed: \(error.message ?? "\(error)")")
        }
        return LogbookError(.internalError, "The offline journal \(path) failed: \(error)")
    }

    // MARK: Writing

    /// Adds a write at the end, committed before this returns.
    func append(_ entry: JournalEntry) throws {
        let body = try entry.body()
        do {
            try queue.write { db in
                try db.cachedStatement(
                    sql: "INSERT INTO entries (kind, run_id, body, points) VALUES (?, ?, ?, ?)"
                ).execute(arguments: [entry.kind, entry.runID, Data(body), entry.points])
            }
        } catch {
            throw Self.failure(error, path)
        }
    }

    // MARK: Replaying

    /// Up to `limit` writes from the front, in order.
    func front(limit: Int) throws -> [Stored] {
        do {
            return try queue.read { db in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT sequence, kind, run_id, body FROM entries ORDER BY sequence LIMIT ?",
                    arguments: [limit])
                return try rows.map { row in
                    let body: Data = row["body"]
                    return Stored(
                        sequence: row["sequence"],
                        entry: try JournalEntry(kind: row["kind"], runID: row["run_id"], body: Array(body)))
                }
            }
        } catch {
            throw Self.failure(error, path)
        }
    }

    /// Removes writes the server has taken, and records the server's id of a run created offline,
    /// in one transaction.
    func remove(_ sequences: [Int64], mapping: (local: String, server: String)? = nil) throws {
        do {
            try queue.write { db in
                if let mapping {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO run_ids (local_id, server_id) VALUES (?, ?)",
                        arguments: [mapping.local, mapping.server])
                }
                let statement = try db.cachedStatement(sql: "DELETE FROM entries WHERE sequence = ?")
                for sequence in sequences { try statement.execute(arguments: [sequence]) }
            }
        } catch {
            throw Self.failure(error, path)
        }
    }

    /// The server ids of runs created offline that have reached the server, by local id.
    func runIDs() throws -> [String: String] {
        do {
            return try queue.read { db in
                var ids: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT local_id, server_id FROM run_ids") {
                    ids[row["local_id"]] = row["server_id"]
                }
                return ids
            }
        } catch {
            throw Self.failure(error, path)
        }
    }

    /// Writes and metric points waiting.
    func backlog() throws -> (entries: Int, points: Int) {
        do {
            return try queue.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(points), 0) FROM entries")
                return (row?[0] ?? 0, row?[1] ?? 0)
            }
        } catch {
            throw Self.failure(error, path)
        }
    }

    /// Closes the journal and deletes its files: call only when nothing waits in it.
    func discard() {
        try? queue.close()
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

extension Journal {
    /// Removes a write the server refused, appending it with the reason to `refused.log` in the
    /// journal's directory (JSON lines: journal, tracking URI, what and why) so that it is never
    /// silently lost.
    func keepRefused(_ stored: Stored, because reason: String) throws {
        let record: [String: String] = [
            "journal": (path as NSString).lastPathComponent, "tracking_uri": trackingURI, "run_id": stored.entry.runID,
            "refused": reason, "body": Data((try? stored.entry.body()) ?? []).base64EncodedString(),
            "kind": String(stored.entry.kind),
        ]
        var line = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        line.append(UInt8(ascii: "\n"))
        let log = (path as NSString).deletingLastPathComponent + "/refused.log"
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: log) else {
            throw LogbookError(.internalError, "Cannot write \(log) to keep a refused offline write: \(reason)")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try remove([stored.sequence])
    }
}
