import Foundation
import GRDB
import GafferCore

/// Model calls with what they cost; the budget sums them before each call.
extension SQLiteStore: ModelSpendStore {
    public func recordModelCall(_ call: ModelCall) async throws {
        var redacted = call
        redacted.error = call.error.map(redactor.redact)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let arguments: StatementArguments = [call.at.storeSeconds, call.repository.lowercased(), call.issue, call.usd, try encoder.encode(redacted)]
        try await writer.write { db in
            try db.execute(sql: "INSERT INTO model_calls (at, repository, issue, usd, call) VALUES (?, ?, ?, ?, ?)", arguments: arguments)
        }
    }

    public func modelSpend(repository: String, issue: Int, day: Date, month: Date) async throws -> ModelSpendTotals {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                      (SELECT coalesce(sum(usd), 0) FROM model_calls WHERE repository = ? AND issue = ?),
                      coalesce(sum(CASE WHEN at >= ? THEN usd END), 0),
                      coalesce(sum(usd), 0)
                    FROM model_calls WHERE at >= ?
                    """,
                arguments: [repository.lowercased(), issue, day.storeSeconds, min(day, month).storeSeconds]
            )
            return ModelSpendTotals(task: row?[0] ?? 0, day: row?[1] ?? 0, month: row?[2] ?? 0)
        }
    }

    public func modelCalls(repository: String, issue: Int) async throws -> [ModelCall] {
        let decoder = JSONDecoder()
        return try await pool.read { db in
            try Data.fetchAll(
                db,
                sql: "SELECT call FROM model_calls WHERE repository = ? AND issue = ? ORDER BY position",
                arguments: [repository.lowercased(), issue]
            ).map { try decoder.decode(ModelCall.self, from: $0) }
        }
    }
}
