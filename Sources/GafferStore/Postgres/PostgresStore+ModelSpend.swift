import Foundation
import GafferCore
import PostgresNIO

/// Model calls with what they cost, as in `SQLiteStore`.
extension PostgresStore: ModelSpendStore {
    public func recordModelCall(_ call: ModelCall) async throws {
        var call = call
        call.error = call.error.map(redactor.redact)
        let data = try Self.encode(call)
        _ = try await rows(
            """
            INSERT INTO model_calls (at, repository, issue, usd, call)
            VALUES (\(call.at.storeSeconds), \(call.repository.lowercased()), \(call.issue), \(call.usd), \(data))
            """
        )
    }

    public func modelSpend(repository: String, issue: Int, day: Date, month: Date) async throws -> ModelSpendTotals {
        let row = try await rows(
            """
            SELECT
              (SELECT coalesce(sum(usd), 0) FROM model_calls WHERE repository = \(repository.lowercased()) AND issue = \(issue)),
              coalesce(sum(usd) FILTER (WHERE at >= \(day.storeSeconds)), 0),
              coalesce(sum(usd), 0)
            FROM model_calls WHERE at >= \(min(day, month).storeSeconds)
            """
        ).first
        guard let row else { return ModelSpendTotals() }
        return ModelSpendTotals(
            task: try row.decode(Double.self, column: 0),
            day: try row.decode(Double.self, column: 1),
            month: try row.decode(Double.self, column: 2)
        )
    }

    public func modelCalls(repository: String, issue: Int) async throws -> [ModelCall] {
        try Self.decoded(
            ModelCall.self,
            try await rows("SELECT call FROM model_calls WHERE repository = \(repository.lowercased()) AND issue = \(issue) ORDER BY position")
        )
    }
}
