import Foundation
import GafferCore
import PostgresNIO

extension PostgresStore: DeliveryStore {
    public func record(_ delivery: Delivery, job: NewJob?) async throws -> DeliveryRecordOutcome {
        let now = clock.now()
        let insert: PostgresQuery = try """
        INSERT INTO deliveries (id, event, action, received_at, body)
        VALUES (\(delivery.id), \(delivery.event), \(delivery.action), \(delivery.receivedAt.storeSeconds), \(delivery.body))
        ON CONFLICT (id) DO NOTHING RETURNING id
        """
        guard let job else { return try await rows(insert).isEmpty ? .duplicate : .recorded }
        // One statement, so one transaction in one round trip: the job is inserted only when the delivery was
        // (two replicas given the same delivery at once: the second waits on the first's row, then finds it).
        let found = try await rows(
            """
            WITH delivery AS (
                INSERT INTO deliveries (id, event, action, received_at, body)
                VALUES (\(delivery.id), \(delivery.event), \(delivery.action), \(delivery.receivedAt.storeSeconds), \(delivery.body))
                ON CONFLICT (id) DO NOTHING RETURNING id
            ), job AS (
                INSERT INTO jobs (type, payload, state, attempts, max_attempts, run_after, created_at, updated_at, delivery_id)
                SELECT \(job.type), \(job.payload), 'queued', 0, \(max(job.maxAttempts, 1)), \((job.runAfter ?? now).storeSeconds),
                    \(now.storeSeconds), \(now.storeSeconds), id FROM delivery
                RETURNING id
            ), event AS (
                INSERT INTO job_events (job_id, at, from_state, to_state, reason) SELECT id, \(now.storeSeconds), NULL, 'queued', 'queued' FROM job
            )
            SELECT id, pg_notify(\(Self.jobsChannel), '1') FROM job
            """
        )
        guard let id = try found.first?.decode(JobID.self, column: 0) else { return .duplicate }
        wakeSignal.signal(waking: 1)
        return .queued(id)
    }

    public func delivery(id: String) async throws -> Delivery? {
        try await rows("SELECT id, event, action, received_at, body FROM deliveries WHERE id = \(id)").first.map { row in
            Delivery(
                id: try row.decode(column: 0),
                event: try row.decode(column: 1),
                action: try row.decode(column: 2),
                receivedAt: Date(storeSeconds: try row.decode(column: 3)),
                body: try row.decode(column: 4)
            )
        }
    }

    public func deliveryCount() async throws -> Int {
        try await rows("SELECT count(*) FROM deliveries")[0].decode(column: 0)
    }
}
