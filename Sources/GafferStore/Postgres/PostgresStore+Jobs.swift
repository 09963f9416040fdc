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
        try await rows(InsertJobsSQL.self) { try InsertJobsSQL.bind(batch, to: &$0) }[0].decode([JobID].self, column: 0)
    }

    /// Inserts the job and its first event in the caller's transaction, and tells every listening process (at commit).
    func insertJob(_ job: NewJob, now: Date, on connection: PostgresConnection) async throws -> JobID {
        var bindings = PostgresBindings()
        try InsertJobsSQL.bind([(job, now)], to: &bindings)
        let ids = try await connection.rows(InsertJobsSQL.self, bindings, logger: logger).first?.decode([JobID].self, column: 0)
        guard let id = ids?.first else { throw PostgresStoreError(description: "PostgreSQL returned no id for the job it inserted") }
        return id
    }

    public func claim(owner: String, limit: Int, leaseDuration: TimeInterval) async throws -> [Job] {
        guard limit > 0 else { return [] }
        let now = clock.now()
        // Leases run out on the scale of their duration, so once a second is soon enough to look for them; it spares
        // most claims a walk over the index entries of running and finished jobs.
        let lookForExpired = expiredLookedFor.withLock { last in
            guard now.timeIntervalSince(last) >= 1 || now < last else { return false }
            last = now
            return true
        }
        let claimed = try await rows(ClaimJobsSQL.self) { values in
            try values.append(now.storeSeconds)
            try values.append(limit)
            try values.append(owner)
            try values.append(now.addingTimeInterval(leaseDuration).storeSeconds)
            try values.append(lookForExpired ? limit : 0)
        }
        return try claimed.map(Self.job(from:))
    }

    public func heartbeat(owner: String, leaseDuration: TimeInterval) async throws -> [JobLease] {
        let now = clock.now()
        return try await rows(
            """
            WITH held AS (
                SELECT id FROM jobs WHERE state = 'running' AND lease_owner = \(owner) ORDER BY id FOR UPDATE
            )
            UPDATE jobs j SET lease_expires_at = \(now.addingTimeInterval(leaseDuration).storeSeconds), updated_at = \(now.storeSeconds)
            WHERE j.id = ANY(ARRAY(SELECT id FROM held)) RETURNING j.id, j.attempts
            """
        ).map { JobLease(jobID: try $0.decode(column: 0), owner: owner, attempt: try $0.decode(column: 1)) }
    }

    public func complete(_ lease: JobLease, result: Data) async throws -> Bool {
        try await completions.submit((lease, result, clock.now())) { batch in try await self.completeJobs(batch) }
    }

    /// Records the successes in one statement; for each, whether its lease still held.
    private func completeJobs(_ batch: [(lease: JobLease, result: Data, at: Date)]) async throws -> [Bool] {
        let done = try await rows(CompleteJobsSQL.self) { values in
            try values.append(batch.map(\.lease.jobID))
            try values.append(batch.map(\.lease.owner))
            try values.append(batch.map(\.lease.attempt))
            try values.append(batch.map { ByteBuffer(bytes: $0.result) })
            try values.append(batch.map(\.at.storeSeconds))
        }
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

// The UPDATEs below find their rows by `j.id = ANY(ARRAY(SELECT id FROM …))`: the planner cannot tell how few rows
// a CTE holds, and joined to it would read the whole table; with an array it looks each id up in the primary key.

/// Inserts jobs and their first events, and tells every listening process (at commit); their ids in order. The ids are
/// drawn first, so each row's is known without relying on the order of RETURNING.
enum InsertJobsSQL: PreparedSQL {
    static let sql = """
        WITH input AS (
            SELECT nextval('jobs_id_seq') AS id, t.* FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::float8[], $5::float8[], $6::text[], $7::bool[])
                WITH ORDINALITY AS t(type, payload, max_attempts, run_after, at, delivery_id, has_delivery, n)
        ), job AS (
            INSERT INTO jobs (id, type, payload, state, attempts, max_attempts, run_after, created_at, updated_at, delivery_id)
            SELECT id, type, payload, 'queued', 0, max_attempts, run_after, at, at, CASE WHEN has_delivery THEN delivery_id END
            FROM input ORDER BY n
        ), event AS (
            INSERT INTO job_events (job_id, at, from_state, to_state, reason) SELECT id, at, NULL, 'queued', 'queued' FROM input ORDER BY n
        )
        SELECT array_agg(id ORDER BY n), pg_notify('\(PostgresStore.jobsChannel)', count(*)::text) FROM input
        """

    static func bind(_ batch: [(job: NewJob, at: Date)], to values: inout PostgresBindings) throws {
        try values.append(batch.map(\.job.type))
        try values.append(batch.map { ByteBuffer(bytes: $0.job.payload) })
        try values.append(batch.map { max($0.job.maxAttempts, 1) })
        try values.append(batch.map { ($0.job.runAfter ?? $0.at).storeSeconds })
        try values.append(batch.map(\.at.storeSeconds))
        try values.append(batch.map { $0.job.deliveryID ?? "" })
        try values.append(batch.map { $0.job.deliveryID != nil })
    }
}

/// Claims for $3 until $4, at $1: first up to $5 jobs whose lease ran out before $1, then queued jobs up to $2 in all.
/// One statement, so one round trip and one commit; SKIP LOCKED lets every process claim at once without waiting on
/// rows another is claiming.
enum ClaimJobsSQL: PreparedSQL {
    static let sql = """
        WITH expired AS (
            SELECT id, attempts, max_attempts, coalesce(lease_owner, 'unknown') AS previous FROM jobs
            WHERE state = 'running' AND lease_expires_at < $1 ORDER BY lease_expires_at LIMIT $5
            FOR UPDATE SKIP LOCKED
        ), exhausted AS (
            UPDATE jobs j SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, finished_at = $1, updated_at = $1,
                error = 'worker ' || e.previous || ' stopped renewing its lease on attempt ' || e.attempts || ' of ' || e.max_attempts
                    || '; no attempts left'
            FROM expired e WHERE j.id = ANY(ARRAY(SELECT id FROM expired)) AND j.id = e.id AND e.attempts >= e.max_attempts
            RETURNING j.id, j.error
        ), exhausted_events AS (
            INSERT INTO job_events (job_id, at, from_state, to_state, reason) SELECT id, $1, 'running', 'failed', error FROM exhausted
        ), again AS (
            UPDATE jobs j SET attempts = j.attempts + 1, lease_owner = $3, lease_expires_at = $4, updated_at = $1
            FROM expired e WHERE j.id = ANY(ARRAY(SELECT id FROM expired)) AND j.id = e.id AND e.attempts < e.max_attempts
            RETURNING \(PostgresStore.qualifiedJobColumns), e.previous, e.attempts AS previous_attempt
        ), again_events AS (
            INSERT INTO job_events (job_id, at, from_state, to_state, reason, worker)
            SELECT id, $1, 'running', 'running', 'lease of worker ' || previous || ' expired on attempt ' || previous_attempt
                || '; claimed again', $3 FROM again
        ), picked AS (
            SELECT id FROM jobs WHERE state = 'queued' AND run_after <= $1 ORDER BY run_after, id
            LIMIT greatest($2 - (SELECT count(*) FROM expired WHERE attempts < max_attempts), 0)
            FOR UPDATE SKIP LOCKED
        ), fresh AS (
            UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, lease_owner = $3, lease_expires_at = $4,
                started_at = coalesce(j.started_at, $1), updated_at = $1
            WHERE j.id = ANY(ARRAY(SELECT id FROM picked))
            RETURNING \(PostgresStore.qualifiedJobColumns)
        ), fresh_events AS (
            INSERT INTO job_events (job_id, at, from_state, to_state, reason, worker)
            SELECT id, $1, 'queued', 'running', 'claimed', $3 FROM fresh
        )
        SELECT \(PostgresStore.jobColumns) FROM (
            SELECT \(PostgresStore.jobColumns), 0 AS kind FROM again UNION ALL SELECT \(PostgresStore.jobColumns), 1 FROM fresh
        ) claimed ORDER BY kind, run_after, id
        """
}

/// Records successes under the leases ($1 ids, $2 owners, $3 attempts) with results $4 at $5; the 1-based
/// positions of those whose lease still held.
enum CompleteJobsSQL: PreparedSQL {
    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bytea[], $5::float8[]) WITH ORDINALITY AS t(id, owner, attempt, result, at, n)
        ), held AS (
            -- Locked in the order of their ids, as the heartbeat locks them, so the two cannot deadlock.
            SELECT j.id, i.owner, i.result, i.at, i.n FROM jobs j JOIN input i ON j.id = i.id
            WHERE j.id = ANY($1) AND j.state = 'running' AND j.lease_owner = i.owner AND j.attempts = i.attempt
            ORDER BY j.id FOR UPDATE OF j
        ), done AS (
            UPDATE jobs j SET state = 'succeeded', result = h.result, error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                finished_at = h.at, updated_at = h.at
            FROM held h WHERE j.id = ANY(ARRAY(SELECT id FROM held)) AND j.id = h.id
            RETURNING h.n, j.id, h.at, h.owner
        ), event AS (
            INSERT INTO job_events (job_id, at, from_state, to_state, reason, worker)
            SELECT id, at, 'running', 'succeeded', 'succeeded', owner FROM done ORDER BY n
        )
        SELECT n FROM done
        """
}
