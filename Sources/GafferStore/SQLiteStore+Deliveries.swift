import Foundation
import GRDB
import GafferCore

extension SQLiteStore: DeliveryStore {
    public func record(_ delivery: Delivery, job: NewJob?) async throws -> DeliveryRecordOutcome {
        let now = clock.now()
        let outcome = try await writer.write { db -> DeliveryRecordOutcome in
            try db.cachedStatement(
                sql: """
                    INSERT INTO deliveries (id, event, action, received_at, body) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO NOTHING
                    """
            ).execute(arguments: [delivery.id, delivery.event, delivery.action, delivery.receivedAt.storeSeconds, delivery.body])
            if db.changesCount == 0 { return .duplicate }
            guard let job else { return .recorded }
            return .queued(try Self.insertJob(job, now: now, db: db))
        }
        if case .queued = outcome { wakeSignal.signal(waking: 1) }
        return outcome
    }

    public func delivery(id: String) async throws -> Delivery? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT id, event, action, received_at, body FROM deliveries WHERE id = ?", arguments: [id])
                .map { row in
                    Delivery(id: row[0], event: row[1], action: row[2], receivedAt: Date(storeSeconds: row[3]), body: row[4])
                }
        }
    }

    public func deliveryCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries") ?? 0 }
    }
}
