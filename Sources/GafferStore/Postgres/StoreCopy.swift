import Crypto
import Foundation
import GRDB
import Logging
import PostgresNIO

/// Copies a SQLite store into a PostgreSQL one (`gaffer migrate --from sqlite:PATH --to postgres://…`),
/// so an installation that outgrows one machine keeps its history.
///
/// Idempotent and resumable: rows are upserted by key in batches, and each batch records how far
/// its table got, so an interrupted copy goes on from there and a second run changes nothing
/// (or brings over what changed since). Then every table is verified by its count and a checksum
/// of its rows read back from both sides.
public struct StoreCopy: Sendable {
    /// What one table's copy did.
    public struct TableReport: Sendable, Equatable {
        public var table: String
        public var copied: Int
        public var sourceRows: Int
        public var targetRows: Int
        public var checksumsMatch: Bool
        public var verified: Bool { sourceRows == targetRows && checksumsMatch }
    }

    enum Kind: Sendable, Equatable { case text, integer, real, blob, bool }

    /// A table: its columns in SQLite (the same names in PostgreSQL, but `rowid`, which is `seq` there) and its key.
    struct Table: Sendable {
        var name: String
        var columns: [(name: String, kind: Kind)]
        var key: [String]
        /// Columns PostgreSQL fills from a sequence that must be moved past the copied values.
        var serial: String?

        func targetName(_ column: String) -> String { column == "rowid" ? "seq" : column }
        func kind(of column: String) -> Kind { columns.first { $0.name == column }?.kind ?? .text }
        /// The key as PostgreSQL must order it to agree with SQLite: text by its bytes.
        var targetOrder: String { key.map { kind(of: $0) == .text ? "\($0) COLLATE \"C\"" : $0 }.joined(separator: ", ") }
    }

    static let tables: [Table] = [
        Table(
            name: "deliveries",
            columns: [("id", .text), ("event", .text), ("action", .text), ("received_at", .real), ("body", .blob)],
            key: ["id"]
        ),
        Table(
            name: "jobs",
            columns: [
                ("id", .integer), ("type", .text), ("payload", .blob), ("state", .text), ("attempts", .integer), ("max_attempts", .integer),
                ("run_after", .real), ("lease_owner", .text), ("lease_expires_at", .real), ("created_at", .real), ("started_at", .real),
                ("finished_at", .real), ("updated_at", .real), ("result", .blob), ("error", .text), ("delivery_id", .text),
            ],
            key: ["id"],
            serial: "id"
        ),
        Table(
            name: "job_events",
            columns: [
                ("id", .integer), ("job_id", .integer), ("at", .real), ("from_state", .text), ("to_state", .text), ("reason", .text),
                ("worker", .text),
            ],
            key: ["id"],
            serial: "id"
        ),
        Table(
            name: "audit_log",
            columns: [("id", .integer), ("at", .real), ("actor", .text), ("action", .text), ("subject", .text), ("detail", .text)],
            key: ["id"],
            serial: "id"
        ),
        Table(name: "control", columns: [("key", .text), ("value", .blob)], key: ["key"]),
        Table(
            name: "plans",
            columns: [
                ("id", .text), ("rowid", .integer), ("issue", .integer), ("repository", .text), ("state", .text), ("created_at", .real),
                ("updated_at", .real), ("plan", .blob),
            ],
            key: ["id"],
            serial: "seq"
        ),
        Table(
            name: "plan_steps",
            columns: [
                ("plan_id", .text), ("position", .integer), ("id", .text), ("agent", .text), ("state", .text), ("attempts", .integer),
                ("started_at", .real), ("ended_at", .real), ("step", .blob),
            ],
            key: ["plan_id", "id"]
        ),
        Table(
            name: "agent_messages",
            columns: [
                ("plan_id", .text), ("position", .integer), ("sender", .text), ("recipient", .text), ("intent", .text), ("at", .real),
                ("message", .blob),
            ],
            key: ["plan_id", "position"]
        ),
        Table(
            name: "capability_gaps",
            columns: [("plan_id", .text), ("position", .integer), ("agent", .text), ("asked", .text), ("lacking", .text)],
            key: ["plan_id", "position"]
        ),
        Table(
            name: "change_plans",
            columns: [
                ("id", .text), ("rowid", .integer), ("repository", .text), ("pull_request", .integer), ("issue", .integer), ("state", .text),
                ("created_at", .real), ("plan", .blob),
            ],
            key: ["id"],
            serial: "seq"
        ),
        Table(
            name: "decisions",
            columns: [("position", .integer), ("repository", .text), ("pull_request", .integer), ("decision", .blob)],
            key: ["position"],
            serial: "position"
        ),
        Table(
            name: "stack_locks",
            columns: [("stack", .text), ("repository", .text), ("pull_request", .integer), ("lock", .blob)],
            key: ["stack"]
        ),
        Table(name: "registry", columns: [("arn", .text), ("stack", .text), ("resource", .blob)], key: ["arn"]),
        Table(
            name: "deployments",
            columns: [("position", .integer), ("repository", .text), ("plan_id", .text), ("stack", .text), ("deployment", .blob)],
            key: ["position"],
            serial: "position"
        ),
        Table(
            name: "learnings",
            columns: [
                ("position", .integer), ("plan_id", .text), ("stack", .text), ("repository", .text), ("issue", .integer),
                ("resource_type", .text), ("fixed", .bool), ("learning", .blob),
            ],
            key: ["position"],
            serial: "position"
        ),
        Table(
            name: "model_calls",
            columns: [("position", .integer), ("at", .real), ("repository", .text), ("issue", .integer), ("usd", .real), ("call", .blob)],
            key: ["position"],
            serial: "position"
        ),
        Table(name: "model_spend", columns: [("scope", .text), ("usd", .real)], key: ["scope"]),
        Table(
            name: "dashboard_sessions",
            columns: [("token_hash", .text), ("expires_at", .real), ("session", .blob)],
            key: ["token_hash"]
        ),
    ]

    let source: DatabasePool
    let target: PostgresStore
    let batchSize: Int

    /// - Parameters:
    ///   - source: the SQLite file, migrated to the newest schema first (`SQLiteStore.migrate`).
    ///   - target: the PostgreSQL store, migrated.
    public init(source: SQLiteStore, target: PostgresStore, batchSize: Int = 500) {
        self.source = source.pool
        self.target = target
        self.batchSize = batchSize
    }

    /// Copies every table (going on where an interrupted copy stopped), then verifies them.
    /// `stopAfter` ends the copy after that many batches, as an interruption would (for tests).
    public func run(stopAfter batches: Int? = nil, progress: @Sendable (String) -> Void = { _ in }) async throws -> [TableReport] {
        _ = try await target.rows(
            "CREATE TABLE IF NOT EXISTS gaffer_copy_progress (table_name text PRIMARY KEY, last_key text NOT NULL)"
        )
        var budget = batches
        var copied: [String: Int] = [:]
        for table in Self.tables {
            var after = try await target.rows("SELECT last_key FROM gaffer_copy_progress WHERE table_name = \(table.name)").first?
                .decode(String.self, column: 0)
            var count = 0
            while true {
                if let left = budget {
                    guard left > 0 else { throw StoreCopyInterrupted() }
                    budget = left - 1
                }
                let (rows, last) = try await readBatch(table, after: after)
                guard let last else { break }
                try await write(rows, of: table, last: last)
                count += rows.count
                after = last
                progress("\(table.name): \(count) rows")
            }
            // Done: the next run copies the table from the start, bringing over what changed since.
            _ = try await target.rows("DELETE FROM gaffer_copy_progress WHERE table_name = \(table.name)")
            if let serial = table.serial {
                _ = try await target.rows(
                    """
                    SELECT setval(pg_get_serial_sequence(\(table.name), \(serial)),
                        greatest((SELECT max(\(unescaped: serial)) FROM \(unescaped: table.name)), 1))
                    """
                )
            }
            copied[table.name] = count
        }
        var reports: [TableReport] = []
        for table in Self.tables {
            let (sourceRows, sourceSum) = try await sourceChecksum(table)
            let (targetRows, targetSum) = try await targetChecksum(table)
            reports.append(
                TableReport(
                    table: table.name,
                    copied: copied[table.name] ?? 0,
                    sourceRows: sourceRows,
                    targetRows: targetRows,
                    checksumsMatch: sourceSum == targetSum
                )
            )
        }
        return reports
    }

    /// The batch after `after` in key order, each row's values as text for the checksum and as binds;
    /// the last row's key (JSON), nil when there are no more rows.
    private func readBatch(_ table: Table, after: String?) async throws -> ([Row], String?) {
        let key = table.key
        let condition: String
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let after, let values = try JSONSerialization.jsonObject(with: Data(after.utf8)) as? [Any], values.count == key.count {
            condition = "WHERE (\(key.joined(separator: ", "))) > (\(key.map { _ in "?" }.joined(separator: ", ")))"
            arguments = zip(key, values).map { column, value -> (any DatabaseValueConvertible)? in
                table.kind(of: column) == .integer ? (value as? NSNumber)?.int64Value : value as? String
            }
        } else {
            condition = ""
        }
        let sql = """
            SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name) \(condition)
            ORDER BY \(key.joined(separator: ", ")) LIMIT \(batchSize)
            """
        let rows = try await source.read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
        guard let lastRow = rows.last else { return ([], nil) }
        let lastKey: [Any] = key.map { column -> Any in
            table.kind(of: column) == .integer ? (lastRow[column] as Int64?) ?? 0 : (lastRow[column] as String?) ?? ""
        }
        let encoded = String(decoding: try JSONSerialization.data(withJSONObject: lastKey), as: UTF8.self)
        return (rows, encoded)
    }

    /// Upserts the rows and records the progress, in one transaction.
    private func write(_ rows: [Row], of table: Table, last: String) async throws {
        let columns = table.columns.map { table.targetName($0.name) }
        let updates = columns.filter { !table.key.contains($0) }.map { "\($0) = excluded.\($0)" }
        var binds = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        for row in rows {
            var placeholders: [String] = []
            for (index, column) in table.columns.enumerated() {
                try Self.bind(row[index] as DatabaseValue, as: column.kind, into: &binds)
                placeholders.append("$\(binds.count)")
            }
            tuples.append("(\(placeholders.joined(separator: ", ")))")
        }
        let sql = """
            INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))
            ON CONFLICT (\(table.key.joined(separator: ", "))) DO \(updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", "))
            """
        let insert = PostgresQuery(unsafeSQL: sql, binds: binds)
        try await target.transaction { connection in
            _ = try await connection.rows(insert, logger: Logger(label: "gaffer.copy"))
            _ = try await connection.rows(
                """
                INSERT INTO gaffer_copy_progress (table_name, last_key) VALUES (\(table.name), \(last))
                ON CONFLICT (table_name) DO UPDATE SET last_key = excluded.last_key
                """,
                logger: Logger(label: "gaffer.copy")
            )
        }
    }

    static func bind(_ value: DatabaseValue, as kind: Kind, into binds: inout PostgresBindings) throws {
        switch (kind, value.storage) {
        case (_, .null): binds.appendNull()
        case (.bool, .int64(let number)): try binds.append(number != 0)
        case (.real, .int64(let number)): try binds.append(Double(number))
        case (_, .int64(let number)): try binds.append(number)
        case (_, .double(let number)): try binds.append(number)
        case (_, .string(let text)): try binds.append(text)
        case (_, .blob(let data)): try binds.append(data)
        }
    }

    /// One value as the checksum reads it, the same from either side.
    static func canonical(_ value: DatabaseValue, as kind: Kind) -> String {
        switch (kind, value.storage) {
        case (_, .null): "∅"
        case (.bool, .int64(let number)): number != 0 ? "1" : "0"
        case (.real, .int64(let number)): "\(Double(number))"
        case (_, .int64(let number)): "\(number)"
        case (_, .double(let number)): "\(number)"
        case (_, .string(let text)): text
        case (_, .blob(let data)): data.base64EncodedString()
        }
    }

    private func sourceChecksum(_ table: Table) async throws -> (Int, String) {
        let sql = "SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.key.joined(separator: ", "))"
        return try await source.read { db in
            var hash = SHA256()
            var count = 0
            let cursor = try Row.fetchCursor(db, sql: sql)
            while let row = try cursor.next() {
                count += 1
                let line = table.columns.enumerated().map { Self.canonical(row[$0.offset] as DatabaseValue, as: $0.element.kind) }
                hash.update(data: Data((line.joined(separator: "\u{1F}") + "\u{1E}").utf8))
            }
            return (count, hash.finalize().map { String(format: "%02x", $0) }.joined())
        }
    }

    private func targetChecksum(_ table: Table) async throws -> (Int, String) {
        let columns = table.columns.map { table.targetName($0.name) }
        let rows = try await target.rows(
            PostgresQuery(unsafeSQL: "SELECT \(columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.targetOrder)")
        )
        var hash = SHA256()
        for row in rows {
            let line = try table.columns.enumerated().map { index, column -> String in
                let value: DatabaseValue =
                    switch column.kind {
                    case .text: (try row.decode(String?.self, column: index)).databaseValue
                    case .integer: (try row.decode(Int64?.self, column: index)).databaseValue
                    case .real: (try row.decode(Double?.self, column: index)).databaseValue
                    case .blob: (try row.decode(Data?.self, column: index)).databaseValue
                    case .bool: (try row.decode(Bool?.self, column: index)).map { $0 ? 1 : 0 }.databaseValue
                    }
                return Self.canonical(value, as: column.kind)
            }
            hash.update(data: Data((line.joined(separator: "\u{1F}") + "\u{1E}").utf8))
        }
        return (rows.count, hash.finalize().map { String(format: "%02x", $0) }.joined())
    }
}

/// The copy stopped before the end (`stopAfter`); running it again goes on from there.
public struct StoreCopyInterrupted: Error, CustomStringConvertible {
    public var description: String { "the copy was stopped before the end; run it again to go on" }
}
