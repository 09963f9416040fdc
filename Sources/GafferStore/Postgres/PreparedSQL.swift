import Logging
import PostgresNIO

/// The SQL of a statement the server parses and plans once per connection rather than on every call.
/// For the queue's hot paths, where planning a statement took nearly as long as running it.
protocol PreparedSQL {
    static var sql: String { get }
}

/// A `PreparedSQL` with its values; PostgresNIO prepares it on a connection the first time it runs there.
struct Prepared<SQL: PreparedSQL>: PostgresPreparedStatement {
    typealias Row = PostgresRandomAccessRow
    static var sql: String { SQL.sql }
    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRandomAccessRow { row.makeRandomAccess() }
}

extension PostgresStore {
    /// Runs a prepared statement on a pooled connection, with `values` bound to $1, $2, … in order.
    func rows<SQL: PreparedSQL>(_ sql: SQL.Type, _ values: (inout PostgresBindings) throws -> Void) async throws -> [PostgresRandomAccessRow] {
        var bindings = PostgresBindings()
        try values(&bindings)
        return try await onConnection { [logger, bindings] connection in try await connection.rows(SQL.self, bindings, logger: logger) }
    }
}

extension PostgresConnection {
    /// Runs a prepared statement on this connection (in its open transaction, if any) and reads every row it returns.
    func rows<SQL: PreparedSQL>(_ sql: SQL.Type, _ bindings: PostgresBindings, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        do {
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await execute(Prepared<SQL>(bindings: bindings), logger: logger) { rows.append(row) }
            return rows
        } catch {
            throw PostgresStoreError(error)
        }
    }
}
