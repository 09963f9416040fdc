import Foundation
import GRDB
import GafferCore

/// What one pruning pass deleted.
public struct PruneResult: Sendable, Equatable {
    /// Their `jobs/<id>/` folders are the caller's to delete.
    public var jobs: [JobID]
    public var deliveries: Int

    public var isEmpty: Bool { jobs.isEmpty && deliveries == 0 }
}

/// Deleting what is past keeping, in small batches so the writer is never held long.
public protocol RetentionStore: Sendable {
    /// Deletes up to `limit` jobs that finished before `cutoff`, with their events and the deliveries
    /// they came from, and up to `limit` deliveries received before `cutoff` that made no job.
    func prune(finishedBefore cutoff: Date, limit: Int) async throws -> PruneResult
}

extension SQLiteStore: RetentionStore {
    public func prune(finishedBefore cutoff: Date, limit: Int) async throws -> PruneResult {
        try await writer.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, delivery_id FROM jobs
                    WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?
                    ORDER BY id LIMIT ?
                    """,
                arguments: [cutoff.storeSeconds, limit]
            )
            let jobs: [JobID] = rows.map { $0[0] }
            let deliveries: [String] = rows.compactMap { $0[1] }
            if !jobs.isEmpty {
                let ids = jobs.map(String.init).joined(separator: ",")
                try db.execute(sql: "DELETE FROM job_events WHERE job_id IN (\(ids))")
                try db.execute(sql: "DELETE FROM jobs WHERE id IN (\(ids))")
                try db.execute(
                    sql: "DELETE FROM deliveries WHERE id IN (\(deliveries.map { _ in "?" }.joined(separator: ",")))",
                    arguments: StatementArguments(deliveries)
                )
            }
            let fromJobs = db.changesCount
            // Deliveries Gaffer only recorded; one whose job still waits is kept with it.
            try db.execute(
                sql: """
                    DELETE FROM deliveries WHERE id IN (
                        SELECT d.id FROM deliveries d LEFT JOIN jobs j ON j.delivery_id = d.id
                        WHERE d.received_at < ? AND j.id IS NULL LIMIT ?)
                    """,
                arguments: [cutoff.storeSeconds, limit]
            )
            return PruneResult(jobs: jobs, deliveries: (jobs.isEmpty ? 0 : fromJobs) + db.changesCount)
        }
    }
}
