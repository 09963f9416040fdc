import Foundation
import GafferCore
import PostgresNIO

extension PostgresStore: JobQueue {
    static let jobColumns = """
        id, type, payload, state, attempts, max_attempts, run_after, lease_owner, lease_expires_at, \
        created_at, started_at, finished_at, updated_at, result, error, delivery_id
        """
    /// The same columns of `jobs j`, for an UPDATE … FROM that returns them.
    static let qualifiedJobColumns = jobColumns.split(separator: ",").map { "j.\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ")

    public func enqueue(_ job: NewJob) async throws -> Job {
        let now = clock.now()
        let id = try await enqueues.submit((job, now)) { batch in try await self.insertJobs(batch) }
        wakeSignal.signal(waking: 1)
        return SQLiteStore.queued(job, id: id, now: now)
    }

    /// Inserts the jobs and their first events in one statement, and tells every listening process (at commit);
    /// returns their ids in order. The ids are drawn first, so each row's is known without relying on the order of RETURNING.
    private func insertJobs(_ batch: [(job: NewJob, at: Date)]) async throws -> [JobID] {
        let found = try await rows(
            """
            WITH input AS (
                SELECT nextval('jobs_id_seq') AS id, t.* FROM unnest(
                    \(batch.map(\.job.type)), \(batch.map { ByteBuffer(bytes: $0.job.payload) }), \(batch.map { max($0.job.maxAttempts, 1) }),
                    \(batch.map { ($0.job.runAfter ?? $0.at).storeSeconds }), \(batch.map(\.at.storeSeconds)),
                    \(batch.map { $0.job.deliveryID ?? "" }), \(batch.map { $0.job.deliveryID != nil })
                ) WITH ORDINALITY AS t(type, payload, max_attempts, run_after, at, delivery_id, has_delivery, n)
            ), job AS (
                INSERT INTO jobs (id, type, payload, state, attempts, max_attempts, run_after, created_at, updated_at, delivery_id)
                SELECT id, type, payload, 'queued', 0, max_attempts, run_after, at, at, CASE WHEN has_delivery THEN delivery_id END
                FROM input ORDER BY n
            ), event AS (
                INSERT INTO job_events (job_id, at, from_state, to_state, reason) SELECT id, at, NULL, 'queued', 'queued' FROM input ORDER BY n
            )
            SELECT array_agg(id ORDER BY n), pg_notify(\(Self.jobsChannel), count(*)::text) FROM input
            """
        )
        return try found[0].decode([JobID].self, column: 0)
    }

    /// Inserts the job and its first event, and tells every listening process (at commit).
    func insertJob(_ job: NewJob, now: Date, on connection: PostgresConnection) async throws -> JobID {
        let query: PostgresQuery = try """
        WITH job AS (
            INSERT INTO jobs (type, payload, state, attempts, max_attempts, run_after, created_at, updated_at, delivery_id)
            VALUES (\(job.type), \(job.payload), 'queued', 0, \(max(job.maxAttempts, 1)), \((job.runAfter ?? now).storeSeconds),
                    \(now.storeSeconds), \(now.storeSeconds), \(job.deliveryID))
            RETURNING id
        ), event AS (
            INSERT INTO job_events (job_id, at, from_state, to_state, reason) SELECT id, \(now.storeSeconds), NULL, 'queued', 'queued' FROM job
        )
        SELECT id, pg_notify(\(Self.jobsChannel), '1') FROM job
        """
        return try await connection.rows(query, logger: logger)[0].decode(column: 0)
    }

    public func claim(owner: String, limit: Int, leaseDuration: TimeInterval) async throws -> [Job] {
        guard limit > 0 else { return [] }
        let now = clock.now().storeSeconds
        let until = clock.now().addingTimeInterval(leaseDuration).storeSeconds
        // Leases that ran out first: their workers are gone. Each statement is atomic on its own, and
        // SKIP LOCKED lets every process claim at once without waiting on rows another is claiming.
        let reclaimed = try await rows(
            """
            WITH expired AS (
                SELECT id, attempts, max_attempts, coalesce(lease_owner, 'unknown') AS previous FROM jobs
                WHERE state = 'running' AND lease_expires_at < \(now) ORDER BY lease_expires_at LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ), exhausted AS (
                UPDATE jobs j SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, finished_at = \(now), updated_at = \(now),
                    error = 'worker ' || e.previous || ' stopped renewing its lease on attempt ' || e.attempts || ' of ' || e.max_attempts
                        || '; no attempts left'
                FROM expired e WHERE j.id = e.id AND e.attempts >= e.max_attempts
                RETURNING j.id, j.error
            ), exhausted_events AS (
                INSERT INTO job_events (job_id, at, from_state, to_state, reason) SELECT id, \(now), 'running', 'failed', error FROM exhausted
            ), again AS (
                UPDATE jobs j SET attempts = j.attempts + 1, lease_owner = \(owner), lease_expires_at = \(until), updated_at = \(now)
                FROM expired e WHERE j.id = e.id AND e.attempts < e.max_attempts
                RETURNING \(unescaped: Self.qualifiedJobColumns),
                    e.previous, e.attempts AS previous_attempt
            ), again_events AS (
                INSERT INTO job_events (job_id, at, from_state, to_state, reason, worker)
                SELECT id, \(now), 'running', 'running', 'lease of worker ' || previous || ' expired on attempt ' || previous_attempt
                    || '; claimed again', \(owner) FROM again
            )
            SELECT \(unescaped: Self.jobColumns) FROM again
            """
        )
        var claimed = try reclaimed.map(Self.job(from:))
        let remaining = limit - claimed.count
        guard remaining > 0 else { return claimed }
        let fresh = try await rows(
            """
            WITH picked AS (
                SELECT id FROM jobs WHERE state = 'queued' AND run_after <= \(now) ORDER BY run_after, id LIMIT \(remaining)
                FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, lease_owner = \(owner), lease_expires_at = \(until),
                    started_at = coalesce(j.started_at, \(now)), updated_at = \(now)
                FROM picked WHERE j.id = picked.id
                RETURNING \(unescaped: Self.qualifiedJobColumns)
            ), events AS (
                INSERT INTO job_events (job_id, at, from_state, to_state, reason, worker)
                SELECT id, \(now), 'queued', 'running', 'claimed', \(owner) FROM claimed
            )
            SELECT \(unescaped: Self.jobColumns) FROM claimed ORDER BY run_after, id
            """
        )
        claimed += try fresh.map(Self.job(from:))
        return claimed
    }

    public func heartbeat(owner: String, leaseDuration: TimeInterval) async throws -> [JobLease] {
        let now = clock.now()
        return try await rows(
            """
            WITH held AS (
                SELECT id FROM jobs WHERE state = 'running' AND lease_owner = \(owner) ORDER BY id FOR UPDATE
            )
            UPDATE jobs j SET lease_expires_at = \(now.addingTimeInterval(leaseDuration).storeSeconds), updated_at = \(now.storeSeconds)
            FROM held WHERE j.id = held.id RETURNING j.id, j.attempts
            """
        ).map { JobLease(jobID: try $0.decode(column: 0), owner: owner, attempt: try $0.decode(column: 1)) }
    }

    public func complete(_ lease: JobLease, result: Data) async throws -> Bool {
        try await completions.submit((lease, result, clock.now())) { batch in try await self.completeJobs(batch) }
    }

    /// Records the successes in one statement; for each, whether its lease still held.
    private func completeJobs(_ batch: [(lease: JobLease, result: Data, at: Date)]) async throws -> [Bool] {
        let done = try await rows(
            """
            WITH input AS (
                SELECT * FROM unnest(
                    \(batch.map(\.lease.jobID)), \(batch.map(\.lease.owner)), \(batch.map(\.lease.attempt)),
                    \(batch.map { ByteBuffer(bytes: $0.result) }), \(batch.map(\.at.storeSeconds))
                ) WITH ORDINALITY AS t(id, owner, attempt, result, at, n)
            ), held AS (
                -- Locked in the order of their ids, as the heartbeat locks them, so the two cannot deadlock.
                SELECT j.id, i.owner, i.result, i.at, i.n FROM jobs j JOIN input i ON j.id = i.id
                WHERE j.state = 'running' AND j.lease_owner = i.owner AND j.attempts = i.attempt ORDER BY j.id FOR UPDATE OF j
            ), done AS (
                UPDATE jobs j SET state = 'succeeded', result = h.result, error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                    finished_at = h.at, updated_at = h.at
                FROM held h WHERE j.id = h.id
                RETURNING h.n, j.id, h.at, h.owner
            ), event AS (
                INSERT INTO job_events (job_id, at, from_state, to_state, reason, worker)
                SELECT id, at, 'running', 'succeeded', 'succeeded', owner FROM done ORDER BY n
            )
            SELECT n FROM done
            """
        )
        let succeeded = Set(try done.map { try $0.decode(Int.self, column: 0) })
        return batch.indices.map { succeeded.contains($0 + 1) }
    }

    public func fail(_ lease: JobLease, error message: String, retryAfter: TimeInterval?) async throws -> JobState? {
        let now = clock.now()
        return try await transaction { connection -> JobState? in
            let held = try await connection.rows(
                """
                SELECT max_attempts FROM jobs
                WHERE id = \(lease.jobID) AND state = 'running' AND lease_owner = \(lease.owner) AND attempts = \(lease.attempt) FOR UPDATE
                """,
                logger: self.logger
            )
            guard let maxAttempts = try held.first?.decode(Int.self, column: 0) else { return nil }
            if let retryAfter, lease.attempt < maxAttempts {
                _ = try await connection.rows(
                    """
                    UPDATE jobs SET state = 'queued', error = \(message), run_after = \(now.addingTimeInterval(retryAfter).storeSeconds),
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now.storeSeconds)
                    WHERE id = \(lease.jobID)
                    """,
                    logger: self.logger
                )
                let reason = StoredForms.retrying(lease, of: maxAttempts, message: message, after: retryAfter)
                try await self.recordEvent(lease.jobID, at: now, from: .running, to: .queued, reason: reason, worker: lease.owner, on: connection)
                return .queued
            }
            _ = try await connection.rows(
                """
                UPDATE jobs SET state = 'failed', error = \(message), lease_owner = NULL, lease_expires_at = NULL,
                    finished_at = \(now.storeSeconds), updated_at = \(now.storeSeconds)
                WHERE id = \(lease.jobID)
                """,
                logger: self.logger
            )
            let reason = StoredForms.failed(lease, of: maxAttempts, message: message, retryable: retryAfter != nil)
            try await self.recordEvent(lease.jobID, at: now, from: .running, to: .failed, reason: reason, worker: lease.owner, on: connection)
            return .failed
        }
    }

    public func release(_ leases: [JobLease], reason: String) async throws {
        try await giveBack(leases, reason: reason, runAfter: clock.now())
    }

    public func park(_ lease: JobLease, reason: String) async throws {
        try await giveBack([lease], reason: reason, runAfter: Job.parkedRunAfter)
    }

    private func giveBack(_ leases: [JobLease], reason: String, runAfter: Date) async throws {
        guard !leases.isEmpty else { return }
        let now = clock.now().storeSeconds
        try await transaction { connection in
            for lease in leases {
                // The attempt is given back: a job a worker never finished because it was told to stop has not failed.
                _ = try await connection.rows(
                    """
                    WITH back AS (
                        UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL,
                            run_after = \(runAfter.storeSeconds), updated_at = \(now)
                        WHERE id = \(lease.jobID) AND state = 'running' AND lease_owner = \(lease.owner) AND attempts = \(lease.attempt)
                        RETURNING id
                    )
                    INSERT INTO job_events (job_id, at, from_state, to_state, reason, worker)
                    SELECT id, \(now), 'running', 'queued', \(reason), \(lease.owner) FROM back
                    """,
                    logger: self.logger
                )
            }
            if runAfter < Job.parkedRunAfter {
                _ = try await connection.rows("SELECT pg_notify(\(Self.jobsChannel), \(String(leases.count)))", logger: self.logger)
            }
        }
        wakeSignal.signal(waking: leases.count)
    }

    public func cancel(id: JobID, reason: String) async throws -> Job? {
        let now = clock.now()
        return try await transaction { connection in try await self.cancel(id: id, reason: reason, at: now, on: connection) }
    }

    /// Cancels the job unless it has finished; the job as it is after, nil when there is none.
    func cancel(id: JobID, reason: String, at now: Date, on connection: PostgresConnection) async throws -> Job? {
        let rows = try await connection.rows("SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE id = \(id) FOR UPDATE", logger: logger)
        guard let job = try rows.first.map(Self.job(from:)) else { return nil }
        if job.state.isFinal { return job }
        let cancelled = try await connection.rows(
            """
            UPDATE jobs SET state = 'cancelled', error = \(reason), lease_owner = NULL, lease_expires_at = NULL,
                finished_at = \(now.storeSeconds), updated_at = \(now.storeSeconds)
            WHERE id = \(id) RETURNING \(unescaped: Self.jobColumns)
            """,
            logger: logger
        )
        try await recordEvent(id, at: now, from: job.state, to: .cancelled, reason: reason, worker: nil, on: connection)
        return try cancelled.first.map(Self.job(from:))
    }

    func recordEvent(
        _ id: JobID,
        at: Date,
        from: JobState?,
        to: JobState,
        reason: String,
        worker: String?,
        on connection: PostgresConnection
    ) async throws {
        _ = try await connection.rows(
            """
            INSERT INTO job_events (job_id, at, from_state, to_state, reason, worker)
            VALUES (\(id), \(at.storeSeconds), \(from?.rawValue), \(to.rawValue), \(reason), \(worker))
            """,
            logger: logger
        )
    }

    public func job(id: JobID) async throws -> Job? {
        try await rows("SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE id = \(id)").first.map(Self.job(from:))
    }

    public func jobs(state: JobState?, limit: Int) async throws -> [Job] {
        let found =
            if let state {
                try await rows("SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE state = \(state.rawValue) ORDER BY id DESC LIMIT \(limit)")
            } else {
                try await rows("SELECT \(unescaped: Self.jobColumns) FROM jobs ORDER BY id DESC LIMIT \(limit)")
            }
        return try found.map(Self.job(from:))
    }

    public func events(jobID: JobID) async throws -> [JobEvent] {
        try await rows("SELECT job_id, at, from_state, to_state, reason, worker FROM job_events WHERE job_id = \(jobID) ORDER BY id").map { row in
            let to: String = try row.decode(column: 3)
            guard let toState = JobState(rawValue: to) else { throw StoreError.corruptState(to) }
            return JobEvent(
                jobID: try row.decode(column: 0),
                at: Date(storeSeconds: try row.decode(column: 1)),
                from: try row.decode(String?.self, column: 2).flatMap(JobState.init(rawValue:)),
                to: toState,
                reason: try row.decode(column: 4),
                worker: try row.decode(column: 5)
            )
        }
    }

    public func countsByState() async throws -> [JobState: Int] {
        var counts: [JobState: Int] = [:]
        for state in JobState.allCases { counts[state] = 0 }
        for row in try await rows("SELECT state, count(*) FROM jobs GROUP BY state") {
            if let state = JobState(rawValue: try row.decode(String.self, column: 0)) { counts[state] = try row.decode(Int.self, column: 1) }
        }
        return counts
    }

    public func runnableCount() async throws -> Int {
        try await rows("SELECT count(*) FROM jobs WHERE state = 'queued' AND run_after <= \(clock.now().storeSeconds)")[0].decode(column: 0)
    }

    static func job(from row: PostgresRandomAccessRow) throws -> Job {
        let stateName: String = try row.decode(column: 3)
        guard let state = JobState(rawValue: stateName) else { throw StoreError.corruptState(stateName) }
        return Job(
            id: try row.decode(column: 0),
            type: try row.decode(column: 1),
            payload: try row.decode(column: 2),
            state: state,
            attempts: try row.decode(column: 4),
            maxAttempts: try row.decode(column: 5),
            runAfter: Date(storeSeconds: try row.decode(column: 6)),
            leaseOwner: try row.decode(column: 7),
            leaseExpiresAt: try row.decode(Double?.self, column: 8).map(Date.init(storeSeconds:)),
            createdAt: Date(storeSeconds: try row.decode(column: 9)),
            startedAt: try row.decode(Double?.self, column: 10).map(Date.init(storeSeconds:)),
            finishedAt: try row.decode(Double?.self, column: 11).map(Date.init(storeSeconds:)),
            updatedAt: Date(storeSeconds: try row.decode(column: 12)),
            result: try row.decode(column: 13),
            error: try row.decode(column: 14),
            deliveryID: try row.decode(column: 15)
        )
    }
}
