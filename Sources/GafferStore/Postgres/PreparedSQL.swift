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
        let statement = Prepared<SQL>(bindings: bindings)
        return try await onConnection { [logger] connection in
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }
}
