import LogbookCore
import LogbookSQL
import PostgresNIO

/// A value bound to a statement: what the shared SQL translation binds, NULL, and the arrays that
/// bulk statements unnest.
enum Bind: Sendable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case null
    case integers([Int64])
    case reals([Double])
    case texts([String])

    init(_ value: SQLValue?) {
        switch value {
        case .integer(let number): self = .integer(number)
        case .real(let number): self = .real(number)
        case .text(let text): self = .text(text)
        case nil: self = .null
        }
    }

    init(_ text: String?) {
        self = text.map(Bind.text) ?? .null
    }

    init(_ number: Int64?) {
        self = number.map(Bind.integer) ?? .null
    }
}

/// One connection, in or out of a transaction, speaking the `?`-placeholder SQL the stores share.
///
/// Statements are sent with PostgreSQL's extended protocol: values travel apart from the SQL
/// text, typed (`int8`, `float8`, `text` and their arrays), so user input never becomes SQL.
struct SQLSession {
    let connection: PostgresConnection
    let logger: Logger

    /// The rows `sql` returns.
    func rows(_ sql: String, _ binds: [Bind] = []) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(Self.query(sql, binds), logger: logger).collect().map {
            $0.makeRandomAccess()
        }
    }

    /// The rows of a fragment from the shared translation.
    func rows(_ fragment: SQLFragment) async throws -> [PostgresRandomAccessRow] {
        try await rows(fragment.sql, fragment.arguments.map(Bind.init))
    }

    /// Runs `sql`, discarding any rows.
    func execute(_ sql: String, _ binds: [Bind] = []) async throws {
        _ = try await connection.query(Self.query(sql, binds), logger: logger).collect()
    }

    /// The rows a prepared statement returns: parsed and planned on the first call on this
    /// connection, only executed after that.
    ///
    /// PostgresNIO remembers a failed preparation for the rest of the connection's life and
    /// answers every later use of the statement there with the same error. So after any error
    /// but those a statement's execution raises in normal work — bad data (class 22), an integrity
    /// violation (class 23: a re-sent point) or a serialization conflict (class 40), none of which
    /// preparing can raise — the connection is closed and the pool opens a fresh one: a lock
    /// timeout while an upgrade holds a table, say, fails one call, not every later one.
    func rows<Statement: PreparedSQL>(_ statement: Statement.Type, _ binds: [Bind]) async throws
        -> [PostgresRandomAccessRow]
    {
        do {
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await connection.execute(Prepared<Statement>(binds: binds), logger: logger) {
                rows.append(row)
            }
            return rows
        } catch let error as PSQLError {
            let state = error.serverInfo?[.sqlState] ?? ""
            if !["22", "23", "40"].contains(state.prefix(2)) { try? await connection.close() }
            throw error
        }
    }

    /// The first column of the first row, if any.
    func first(_ sql: String, _ binds: [Bind] = []) async throws -> PostgresCell? {
        try await rows(sql, binds).first.map { $0[0] }
    }

    /// `sql` with `?` placeholders numbered `$1`, `$2`, … (outside quoted text), and its values.
    static func query(_ sql: String, _ binds: [Bind]) -> PostgresQuery {
        var text = ""
        text.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?" && !quoted {
                number += 1
                text += "$\(number)"
            } else {
                text.append(character)
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: PostgresBindings(binds))
    }
}

extension PostgresBindings {
    /// The values, typed for PostgreSQL's binary format.
    init(_ binds: [Bind]) {
        self.init(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .integer(let number): append(number)
            case .real(let number): append(number)
            case .text(let text): append(text)
            case .null: appendNull()
            case .integers(let numbers): append(numbers)
            case .reals(let numbers): append(numbers)
            case .texts(let texts): append(texts)
            }
        }
    }
}

extension PostgresRandomAccessRow {
    func int64(_ column: Int) throws -> Int64 { try self[column].decode(Int64.self) }
    func double(_ column: Int) throws -> Double { try self[column].decode(Double.self) }
    func text(_ column: Int) throws -> String { try self[column].decode(String.self) }
    func optionalText(_ column: Int) throws -> String? { try self[column].decode(String?.self) }
    func optionalInt64(_ column: Int) throws -> Int64? { try self[column].decode(Int64?.self) }
    func isNull(_ column: Int) -> Bool { self[column].bytes == nil }

    /// A column as the shared translation's value (sort keys of a keyset page).
    func sqlValue(_ column: Int) throws -> SQLValue? {
        let cell = self[column]
        guard cell.bytes != nil else { return nil }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float4, .float8: return .real(try cell.decode(Double.self))
        default: return .text(try cell.decode(String.self))
        }
    }
}
