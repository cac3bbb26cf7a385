import GRDB
import LogbookCore
import LogbookSQL

/// The model registry in the SQLite file: ``SQLRegistry``'s rules, over GRDB.
extension SQLiteStore: SQLRegistryStore, RegistryAccessStore, RegistryImporting {
    public var registryExecutor: SQLiteRegistryExecutor { SQLiteRegistryExecutor(store: self) }
}

/// ``SQLRegistry``'s statements on the store's pool: reads on one snapshot, writes in one
/// IMMEDIATE transaction (``SQLiteStore/write(_:)``).
public struct SQLiteRegistryExecutor: SQLRegistryExecutor {
    let store: SQLiteStore

    public var dialect: SQLDialect { .sqlite }

    public func read(_ queries: [SQLFragment]) async throws -> [[SQLRow]] {
        try await store.read { db in try queries.map { try Self.rows(db, $0) } }
    }

    public func write(_ statements: [SQLFragment]) async throws -> [[SQLRow]] {
        try await store.write { db in
            do {
                return try statements.map { try Self.rows(db, $0) }
            } catch let error as DatabaseError
                where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
                || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
            {
                throw SQLUniqueViolation(error.message ?? "\(error)")
            }
        }
    }

    static func rows(_ db: Database, _ fragment: SQLFragment) throws -> [SQLRow] {
        try Row.fetchAll(db, sql: fragment.sql, arguments: StatementArguments(fragment.arguments)).map { row in
            (0..<row.count).map { index -> SQLValue? in
                switch (row[index] as DatabaseValue).storage {
                case .int64(let number): .integer(number)
                case .double(let number): .real(number)
                case .string(let text): .text(text)
                case .null, .blob: nil
                }
            }
        }
    }
}
