import Foundation
import GafferCore
import PostgresNIO

extension PostgresStore: RetentionStore {
    public func prune(finishedBefore cutoff: Date, limit: Int) async throws -> PruneResult {
        try await transaction { connection in
            let rows = try await connection.rows(
                """
                SELECT id, delivery_id FROM jobs
                WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < \(cutoff.storeSeconds)
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """,
                logger: self.logger
            )
            let jobs: [JobID] = try rows.map { try $0.decode(column: 0) }
            let deliveries: [String] = try rows.compactMap { try $0.decode(String?.self, column: 1) }
            var deleted = 0
            if !jobs.isEmpty {
                _ = try await connection.rows("DELETE FROM job_events WHERE job_id = ANY(\(jobs))", logger: self.logger)
                _ = try await connection.rows("DELETE FROM jobs WHERE id = ANY(\(jobs))", logger: self.logger)
                deleted += try await connection.rows("DELETE FROM deliveries WHERE id = ANY(\(deliveries)) RETURNING id", logger: self.logger).count
            }
            // Deliveries Gaffer only recorded; one whose job still waits is kept with it.
            deleted += try await connection.rows(
                """
                DELETE FROM deliveries WHERE id IN (
                    SELECT d.id FROM deliveries d LEFT JOIN jobs j ON j.delivery_id = d.id
                    WHERE d.received_at < \(cutoff.storeSeconds) AND j.id IS NULL LIMIT \(limit))
                RETURNING id
                """,
                logger: self.logger
            ).count
            return PruneResult(jobs: jobs, deliveries: deleted)
        }
    }
}
