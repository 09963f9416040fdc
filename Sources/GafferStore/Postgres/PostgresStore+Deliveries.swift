import Foundation
import GafferCore
import PostgresNIO

extension PostgresStore: DeliveryStore {
    public func record(_ delivery: Delivery, job: NewJob?) async throws -> DeliveryRecordOutcome {
        let outcome = try await recordings.submit((delivery, job, clock.now())) { batch in try await self.recordDeliveries(batch) }
        if case .queued = outcome { wakeSignal.signal(waking: 1) }
        return outcome
    }

    /// Inserts the deliveries, each with its job when it has one, in one statement: a job only for a delivery
    /// that was new (two replicas given the same delivery at once: the second waits on the first's row, then finds it).
    private func recordDeliveries(_ batch: [(delivery: Delivery, job: NewJob?, at: Date)]) async throws -> [DeliveryRecordOutcome] {
        // A delivery given twice in one batch is a duplicate the second time, as it would be in the next. The rest go in
        // the order of their ids, so two processes' batches take their rows' locks in one order and cannot deadlock.
        var seen = Set<String>()
        let entries = batch.enumerated().filter { seen.insert($0.element.delivery.id).inserted }.sorted {
            $0.element.delivery.id < $1.element.delivery.id
        }
        let rows = try await rows(RecordDeliveriesSQL.self) { values in
            try values.append(entries.map(\.element.delivery.id))
            try values.append(entries.map(\.element.delivery.event))
            try values.append(entries.map { $0.element.delivery.action ?? "" })
            try values.append(entries.map { $0.element.delivery.action != nil })
            try values.append(entries.map(\.element.delivery.receivedAt.storeSeconds))
            try values.append(entries.map { ByteBuffer(bytes: $0.element.delivery.body) })
            try values.append(entries.map { $0.element.job != nil })
            try values.append(entries.map { $0.element.job?.type ?? "" })
            try values.append(entries.map { ByteBuffer(bytes: $0.element.job?.payload ?? Data()) })
            try values.append(entries.map { max($0.element.job?.maxAttempts ?? 1, 1) })
            try values.append(entries.map { ($0.element.job?.runAfter ?? $0.element.at).storeSeconds })
            try values.append(entries.map(\.element.at.storeSeconds))
        }
        var outcomes = Array(repeating: DeliveryRecordOutcome.duplicate, count: batch.count)
        for row in rows {
            let (position, stored, jobID) = (
                try row.decode(Int.self, column: 0), try row.decode(Bool.self, column: 1), try row.decode(JobID?.self, column: 2)
            )
            guard stored, entries.indices.contains(position - 1) else { continue }
            outcomes[entries[position - 1].offset] = jobID.map(DeliveryRecordOutcome.queued) ?? .recorded
        }
        return outcomes
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

/// Inserts deliveries ($1 ids, $2 events, $3 actions where $4, $5 received, $6 bodies), each new one with its job where
/// $7 ($8 types, $9 payloads, $10 attempts, $11 run after, $12 now); for each position, whether it was new, and its job.
enum RecordDeliveriesSQL: PreparedSQL {
    static let sql = """
        WITH input AS (
            SELECT t.*, CASE WHEN t.has_job THEN nextval('jobs_id_seq') END AS job_id FROM unnest(
                $1::text[], $2::text[], $3::text[], $4::bool[], $5::float8[], $6::bytea[],
                $7::bool[], $8::text[], $9::bytea[], $10::bigint[], $11::float8[], $12::float8[]
            ) WITH ORDINALITY AS t(id, event, action, has_action, received_at, body, has_job, type, payload, max_attempts, run_after, at, n)
        ), delivery AS (
            INSERT INTO deliveries (id, event, action, received_at, body)
            SELECT id, event, CASE WHEN has_action THEN action END, received_at, body FROM input ORDER BY n
            ON CONFLICT (id) DO NOTHING RETURNING id
        ), job AS (
            INSERT INTO jobs (id, type, payload, state, attempts, max_attempts, run_after, created_at, updated_at, delivery_id)
            SELECT i.job_id, i.type, i.payload, 'queued', 0, i.max_attempts, i.run_after, i.at, i.at, i.id
            FROM input i JOIN delivery d ON d.id = i.id WHERE i.has_job ORDER BY i.n
            RETURNING id
        ), event AS (
            INSERT INTO job_events (job_id, at, from_state, to_state, reason)
            SELECT i.job_id, i.at, NULL, 'queued', 'queued' FROM input i JOIN delivery d ON d.id = i.id WHERE i.has_job ORDER BY i.n
        )
        SELECT i.n, d.id IS NOT NULL, i.job_id,
            (SELECT pg_notify('\(PostgresStore.jobsChannel)', count(*)::text) FROM job HAVING count(*) > 0)
        FROM input i LEFT JOIN delivery d ON d.id = i.id
        """
}
