import PostgresNIO

/// A statement that each connection parses and plans once (a named prepared statement): every
/// later call on that connection sends only the name and the values.
///
/// For the statements on the hot paths — creating a run, logging metrics — where parsing and
/// planning are a large part of PostgreSQL's work for a small statement (docs/deploy.md has the
/// figures). Conformers are caseless enums:
///
/// ```swift
/// enum RunKey: PreparedSQL {
///     static let name = "logbook_run_key"
///     static let sql = "SELECT run_key FROM runs WHERE run_id = $1"
/// }
/// let rows = try await session.rows(RunKey.self, [.text(runID)])
/// ```
///
/// A prepared statement lives as long as its connection; PostgreSQL plans it again by itself when
/// a table it reads changes. Poolers in transaction mode must pass named statements through
/// (PgBouncer 1.21 or later with `max_prepared_statements`, or session mode).
protocol PreparedSQL {
    /// The statement's name on a connection, unique among the store's statements.
    static var name: String { get }
    /// The SQL, with PostgreSQL's `$1`, `$2`, … placeholders.
    static var sql: String { get }
}

/// A prepared statement with its values, as PostgresNIO executes it.
struct Prepared<Statement: PreparedSQL>: PostgresPreparedStatement {
    typealias Row = PostgresRandomAccessRow

    static var name: String { Statement.name }
    static var sql: String { Statement.sql }

    let binds: [Bind]

    func makeBindings() -> PostgresBindings { PostgresBindings(binds) }

    func decodeRow(_ row: PostgresRow) -> PostgresRandomAccessRow { row.makeRandomAccess() }
}
