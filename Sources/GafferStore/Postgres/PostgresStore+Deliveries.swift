import Foundation
import GafferCore
import PostgresNIO

extension PostgresStore: DeliveryStore {
    public func record(_ delivery: Delivery, job: NewJob?) async throws -> DeliveryRecordOutcome {
        let now = clock.now()
        let outcome = try await transaction { connection -> DeliveryRecordOutcome in
            // Two replicas given the same delivery at once: the second waits on the first's row, then finds it.
            let inserted = try await connection.rows(
                """
                INSERT INTO deliveries (id, event, action, received_at, body)
                VALUES (\(delivery.id), \(delivery.event), \(delivery.action), \(delivery.receivedAt.storeSeconds), \(delivery.body))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """,
                logger: self.logger
            )
            if inserted.isEmpty { return .duplicate }
            guard let job else { return .recorded }
            return .queued(try await self.insertJob(job, now: now, on: connection))
        }
        if case .queued = outcome { wakeSignal.signal(waking: 1) }
        return outcome
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
