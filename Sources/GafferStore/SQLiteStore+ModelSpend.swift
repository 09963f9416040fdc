import Foundation
import GRDB
import GafferCore

/// Model calls with what they cost; the budget sums them before each call.
extension SQLiteStore: ModelSpendStore {
    public func reserveModelSpend(repository: String, issue: Int, at: Date, usd: Double, budget: ModelBudget) async throws {
        let keys = ModelBudget.totalKeys(repository: repository, issue: issue, at: at)
        try await writer.write { db in
            // Read and added in the writer's transaction, which SQLite runs one at a time: no other call slips between.
            let totals = try Row.fetchAll(
                db,
                sql: "SELECT scope, usd FROM model_spend WHERE scope IN (?, ?, ?)",
                arguments: [keys.task, keys.day, keys.month]
            )
            .reduce(into: [String: Double]()) { $0[$1["scope"]] = $1["usd"] }
            let spent = ModelSpendTotals(task: totals[keys.task] ?? 0, day: totals[keys.day] ?? 0, month: totals[keys.month] ?? 0)
            if let refusal = budget.refusal(spent: spent, worstCase: usd) { throw refusal }
            try Self.add(usd, to: [keys.task, keys.day, keys.month], db)
        }
    }

    public func recordModelCall(_ call: ModelCall, reserved: Double) async throws {
        var redacted = call
        redacted.error = call.error.map(redactor.redact)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let arguments: StatementArguments = [call.at.storeSeconds, call.repository.lowercased(), call.issue, call.usd, try encoder.encode(redacted)]
        let keys = ModelBudget.totalKeys(repository: call.repository, issue: call.issue, at: call.at)
        let change = call.usd - reserved
        try await writer.write { db in
            try db.execute(sql: "INSERT INTO model_calls (at, repository, issue, usd, call) VALUES (?, ?, ?, ?, ?)", arguments: arguments)
            try Self.add(change, to: [keys.task, keys.day, keys.month], db)
        }
    }

    private static func add(_ usd: Double, to scopes: [String], _ db: Database) throws {
        for scope in scopes {
            try db.execute(
                sql: "INSERT INTO model_spend (scope, usd) VALUES (?, ?) ON CONFLICT(scope) DO UPDATE SET usd = max(0, usd + excluded.usd)",
                arguments: [scope, usd]
            )
        }
    }

    public func modelSpend(repository: String, issue: Int, at: Date) async throws -> ModelSpendTotals {
        let keys = ModelBudget.totalKeys(repository: repository, issue: issue, at: at)
        let totals = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT scope, usd FROM model_spend WHERE scope IN (?, ?, ?)", arguments: [keys.task, keys.day, keys.month])
                .reduce(into: [String: Double]()) { $0[$1["scope"]] = $1["usd"] }
        }
        return ModelSpendTotals(task: totals[keys.task] ?? 0, day: totals[keys.day] ?? 0, month: totals[keys.month] ?? 0)
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
