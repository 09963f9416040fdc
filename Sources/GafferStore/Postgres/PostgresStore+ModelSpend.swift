import Foundation
import GafferCore
import PostgresNIO

/// Model calls with what they cost, as in `SQLiteStore`.
extension PostgresStore: ModelSpendStore {
    public func reserveModelSpend(repository: String, issue: Int, at: Date, usd: Double, budget: ModelBudget) async throws {
        let keys = ModelBudget.totalKeys(repository: repository, issue: issue, at: at)
        // A refusal is an answer, not a failure: it is handed out of the connection's work, which would wrap an error.
        let refusal: ModelBudgetExceeded? = try await onConnection { [logger] connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                // The upsert locks the three rows until the transaction ends: another replica's reservation waits, then sees this one.
                var totals: [String: Double] = [:]
                for row in try await connection.rows(
                    """
                    INSERT INTO model_spend (scope, usd) VALUES (\(keys.task), \(usd)), (\(keys.day), \(usd)), (\(keys.month), \(usd))
                    ON CONFLICT (scope) DO UPDATE SET usd = model_spend.usd + excluded.usd
                    RETURNING scope, usd
                    """,
                    logger: logger
                ) {
                    totals[try row.decode(String.self, column: 0)] = try row.decode(Double.self, column: 1) - usd
                }
                let spent = ModelSpendTotals(task: totals[keys.task] ?? 0, day: totals[keys.day] ?? 0, month: totals[keys.month] ?? 0)
                if let refusal = budget.refusal(spent: spent, worstCase: usd) {
                    try await connection.query("ROLLBACK", logger: logger)
                    return refusal
                }
                try await connection.query("COMMIT", logger: logger)
                return nil
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
        if let refusal { throw refusal }
    }

    public func recordModelCall(_ call: ModelCall, reserved: Double) async throws {
        var redacted = call
        redacted.error = call.error.map(redactor.redact)
        let data = try Self.encode(redacted)
        let keys = ModelBudget.totalKeys(repository: call.repository, issue: call.issue, at: call.at)
        let change = call.usd - reserved
        // One statement: the call and its totals' correction commit together.
        _ = try await rows(
            """
            WITH call AS (
                INSERT INTO model_calls (at, repository, issue, usd, call)
                VALUES (\(call.at.storeSeconds), \(call.repository.lowercased()), \(call.issue), \(call.usd), \(data))
            )
            INSERT INTO model_spend (scope, usd) VALUES (\(keys.task), \(change)), (\(keys.day), \(change)), (\(keys.month), \(change))
            ON CONFLICT (scope) DO UPDATE SET usd = greatest(0, model_spend.usd + excluded.usd)
            """
        )
    }

    public func modelSpend(repository: String, issue: Int, at: Date) async throws -> ModelSpendTotals {
        let keys = ModelBudget.totalKeys(repository: repository, issue: issue, at: at)
        var totals: [String: Double] = [:]
        for row in try await rows("SELECT scope, usd FROM model_spend WHERE scope = ANY(\([keys.task, keys.day, keys.month]))") {
            totals[try row.decode(String.self, column: 0)] = try row.decode(Double.self, column: 1)
        }
        return ModelSpendTotals(task: totals[keys.task] ?? 0, day: totals[keys.day] ?? 0, month: totals[keys.month] ?? 0)
    }

    public func modelCalls(repository: String, issue: Int) async throws -> [ModelCall] {
        try Self.decoded(
            ModelCall.self,
            try await rows("SELECT call FROM model_calls WHERE repository = \(repository.lowercased()) AND issue = \(issue) ORDER BY position")
        )
    }
}
