import LogbookCore
import LogbookSQL
import PostgresNIO

/// The model registry in the database: ``SQLRegistry``'s rules, over the connection pool.
extension PostgresStore: SQLRegistryStore, RegistryAccessStore, RegistryImporting {
    public var registryExecutor: PostgresRegistryExecutor { PostgresRegistryExecutor(store: self) }
}

/// ``SQLRegistry``'s statements on pooled connections: reads on one REPEATABLE READ snapshot,
/// writes in one transaction. Writes are not retried after a lost connection (registering a
/// version twice would give two numbers); serialization conflicts are, as every write's.
public struct PostgresRegistryExecutor: SQLRegistryExecutor {
    let store: PostgresStore

    public var dialect: SQLDialect { .postgres }

    public func read(_ queries: [SQLFragment]) async throws -> [[SQLRow]] {
        try await store.read { session in
            var results: [[SQLRow]] = []
            for query in queries { results.append(try await Self.rows(session, query)) }
            return results
        }
    }

    public func write(_ statements: [SQLFragment]) async throws -> [[SQLRow]] {
        try await store.write(idempotent: false) { session in
            var results: [[SQLRow]] = []
            for statement in statements {
                do {
                    results.append(try await Self.rows(session, statement))
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                    throw SQLUniqueViolation(error.serverInfo?[.message] ?? "\(error)")
                }
            }
            return results
        }
    }

    static func rows(_ session: SQLSession, _ fragment: SQLFragment) async throws -> [SQLRow] {
        try await session.rows(fragment).map { row in try (0..<row.count).map { try row.sqlValue($0) } }
    }
}
