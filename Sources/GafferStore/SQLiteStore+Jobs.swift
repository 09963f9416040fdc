import Foundation
import GRDB
import GafferCore

extension SQLiteStore: JobQueue {
    static let jobColumns = """
        id, type, payload, state, attempts, max_attempts, run_after, lease_owner, lease_expires_at, \
        created_at, started_at, finished_at, updated_at, result, error, delivery_id
        """

    public func enqueue(_ job: NewJob) async throws -> Job {
        let now = clock.now()
        let stored = try await writer.write { db -> Job in
            Self.queued(job, id: try Self.insertJob(job, now: now, db: db), now: now)
        }
        wakeSignal.signal(waking: 1)
        return stored
    }

    /// The job `insertJob` stored, without reading it back.
    static func queued(_ job: NewJob, id: JobID, now: Date) -> Job {
        Job(
            id: id,
            type: job.type,
            payload: job.payload,
            state: .queued,
            attempts: 0,
            maxAttempts: max(job.maxAttempts, 1),
            runAfter: job.runAfter ?? now,
            leaseOwner: nil,
            leaseExpiresAt: nil,
            createdAt: now,
            startedAt: nil,
            finishedAt: nil,
            updatedAt: now,
            result: nil,
            error: nil,
            deliveryID: job.deliveryID
        )
    }

    static func insertJob(_ job: NewJob, now: Date, db: Database) throws -> JobID {
        try db.cachedStatement(
            sql: """
                INSERT INTO jobs (type, payload, state, attempts, max_attempts, run_after, created_at, updated_at, delivery_id)
                VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            job.type, job.payload, max(job.maxAttempts, 1), (job.runAfter ?? now).storeSeconds,
            now.storeSeconds, now.storeSeconds, job.deliveryID,
        ])
        let id = db.lastInsertedRowID
        try recordEvent(jobID: id, at: now, from: nil, to: .queued, reason: "queued", worker: nil, db: db)
        return id
    }

    static func recordEvent(jobID: JobID, at: Date, from: JobState?, to: JobState, reason: String, worker: String?, db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO job_events (job_id, at, from_state, to_state, reason, worker) VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [jobID, at.storeSeconds, from?.rawValue, to.rawValue, reason, worker])
    }

    public func claim(owner: String, limit: Int, leaseDuration: TimeInterval) async throws -> [Job] {
        guard limit > 0 else { return [] }
        let now = clock.now()
        return try await writer.write { db -> [Job] in
            var claimed: [Job] = []
            // Leases that ran out first: their workers are gone.
            // The planner would pick jobs_state and sort every queued job;
            // the partial indexes give the next job in one step.
            let expired = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, attempts, max_attempts, lease_owner FROM jobs INDEXED BY jobs_leased
                        WHERE state = 'running' AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT ?
                        """
                ),
                arguments: [now.storeSeconds, limit]
            )
            var reclaim: [(JobID, String)] = []
            for row in expired {
                let id: JobID = row[0]
                let attempts: Int = row[1]
                let maxAttempts: Int = row[2]
                let previous: String = row[3] ?? "unknown"
                if attempts >= maxAttempts {
                    let message = "worker \(previous) stopped renewing its lease on attempt \(attempts) of \(maxAttempts); no attempts left"
                    try db.execute(
                        sql: """
                            UPDATE jobs SET state = 'failed', error = ?, lease_owner = NULL, lease_expires_at = NULL,
                            finished_at = ?, updated_at = ? WHERE id = ?
                            """,
                        arguments: [message, now.storeSeconds, now.storeSeconds, id]
                    )
                    try Self.recordEvent(jobID: id, at: now, from: .running, to: .failed, reason: message, worker: nil, db: db)
                } else {
                    reclaim.append((id, "lease of worker \(previous) expired on attempt \(attempts); claimed again"))
                }
            }
            let remaining = limit - reclaim.count
            var fresh: [JobID] = []
            if remaining > 0 {
                fresh = try JobID.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT id FROM jobs INDEXED BY jobs_claimable
                            WHERE state = 'queued' AND run_after <= ? ORDER BY run_after, id LIMIT ?
                            """
                    ),
                    arguments: [now.storeSeconds, remaining]
                )
            }
            let leaseUntil = now.addingTimeInterval(leaseDuration).storeSeconds
            let update = try db.cachedStatement(
                sql: """
                    UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?,
                    started_at = coalesce(started_at, ?), updated_at = ? WHERE id = ? RETURNING \(Self.jobColumns)
                    """
            )
            for (id, from, reason) in reclaim.map({ ($0.0, JobState.running, $0.1) }) + fresh.map({ ($0, JobState.queued, "claimed") }) {
                guard let row = try Row.fetchOne(update, arguments: [owner, leaseUntil, now.storeSeconds, now.storeSeconds, id]) else { continue }
                claimed.append(try Self.job(from: row))
                try Self.recordEvent(jobID: id, at: now, from: from, to: .running, reason: reason, worker: owner, db: db)
            }
            return claimed
        }
    }

    public func heartbeat(owner: String, leaseDuration: TimeInterval) async throws -> [JobLease] {
        let now = clock.now()
        return try await writer.write { db -> [JobLease] in
            try db.cachedStatement(
                sql: """
                    UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE state = 'running' AND lease_owner = ?
                    """
            ).execute(arguments: [now.addingTimeInterval(leaseDuration).storeSeconds, now.storeSeconds, owner])
            return try Row.fetchAll(db, sql: "SELECT id, attempts FROM jobs WHERE state = 'running' AND lease_owner = ?", arguments: [owner])
                .map { JobLease(jobID: $0[0], owner: owner, attempt: $0[1]) }
        }
    }

    public func complete(_ lease: JobLease, result: Data) async throws -> Bool {
        let now = clock.now()
        return try await writer.write { db -> Bool in
            try db.cachedStatement(
                sql: """
                    UPDATE jobs SET state = 'succeeded', result = ?, error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                    finished_at = ?, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?
                    """
            ).execute(arguments: [result, now.storeSeconds, now.storeSeconds, lease.jobID, lease.owner, lease.attempt])
            guard db.changesCount == 1 else { return false }
            try Self.recordEvent(jobID: lease.jobID, at: now, from: .running, to: .succeeded, reason: "succeeded", worker: lease.owner, db: db)
            return true
        }
    }

    public func fail(_ lease: JobLease, error message: String, retryAfter: TimeInterval?) async throws -> JobState? {
        let now = clock.now()
        return try await writer.write { db -> JobState? in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT max_attempts FROM jobs WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?
                        """,
                    arguments: [lease.jobID, lease.owner, lease.attempt]
                )
            else { return nil }
            let maxAttempts: Int = row[0]
            if let retryAfter, lease.attempt < maxAttempts {
                let runAfter = now.addingTimeInterval(retryAfter)
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'queued', error = ?, run_after = ?, lease_owner = NULL, lease_expires_at = NULL,
                        updated_at = ? WHERE id = ?
                        """,
                    arguments: [message, runAfter.storeSeconds, now.storeSeconds, lease.jobID]
                )
                let reason = StoredForms.retrying(lease, of: maxAttempts, message: message, after: retryAfter)
                try Self.recordEvent(jobID: lease.jobID, at: now, from: .running, to: .queued, reason: reason, worker: lease.owner, db: db)
                return .queued
            }
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'failed', error = ?, lease_owner = NULL, lease_expires_at = NULL,
                    finished_at = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [message, now.storeSeconds, now.storeSeconds, lease.jobID]
            )
            let reason = StoredForms.failed(lease, of: maxAttempts, message: message, retryable: retryAfter != nil)
            try Self.recordEvent(jobID: lease.jobID, at: now, from: .running, to: .failed, reason: reason, worker: lease.owner, db: db)
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
        let now = clock.now()
        try await writer.write { db in
            for lease in leases {
                // The attempt is given back: a job a worker never finished
                // because it was told to stop has not failed.
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL,
                        run_after = ?, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?
                        """,
                    arguments: [runAfter.storeSeconds, now.storeSeconds, lease.jobID, lease.owner, lease.attempt]
                )
                if db.changesCount == 1 {
                    try Self.recordEvent(jobID: lease.jobID, at: now, from: .running, to: .queued, reason: reason, worker: lease.owner, db: db)
                }
            }
        }
        wakeSignal.signal(waking: leases.count)
    }

    public func cancel(id: JobID, reason: String) async throws -> Job? {
        let now = clock.now()
        return try await writer.write { db -> Job? in
            guard let job = try Self.fetchJob(id: id, db: db) else { return nil }
            if job.state.isFinal { return job }
            return try Self.cancel(job, reason: reason, at: now, db: db)
        }
    }

    static func cancel(_ job: Job, reason: String, at now: Date, db: Database) throws -> Job? {
        try db.execute(
            sql: """
                UPDATE jobs SET state = 'cancelled', error = ?, lease_owner = NULL, lease_expires_at = NULL,
                finished_at = ?, updated_at = ? WHERE id = ?
                """,
            arguments: [reason, now.storeSeconds, now.storeSeconds, job.id]
        )
        try recordEvent(jobID: job.id, at: now, from: job.state, to: .cancelled, reason: reason, worker: nil, db: db)
        return try fetchJob(id: job.id, db: db)
    }

    public func job(id: JobID) async throws -> Job? {
        try await pool.read { db in try Self.fetchJob(id: id, db: db) }
    }

    public func jobs(state: JobState?, limit: Int) async throws -> [Job] {
        try await pool.read { db in
            let rows: [Row]
            if let state {
                rows = try Row.fetchAll(
                    db,
                    sql: "SELECT \(Self.jobColumns) FROM jobs WHERE state = ? ORDER BY id DESC LIMIT ?",
                    arguments: [state.rawValue, limit]
                )
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT \(Self.jobColumns) FROM jobs ORDER BY id DESC LIMIT ?", arguments: [limit])
            }
            return try rows.map(Self.job(from:))
        }
    }

    public func events(jobID: JobID) async throws -> [JobEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT job_id, at, from_state, to_state, reason, worker FROM job_events WHERE job_id = ? ORDER BY id
                    """,
                arguments: [jobID]
            ).map { row in
                let from: String? = row[2]
                let to: String = row[3]
                guard let toState = JobState(rawValue: to) else { throw StoreError.corruptState(to) }
                return JobEvent(
                    jobID: row[0],
                    at: Date(storeSeconds: row[1]),
                    from: from.flatMap(JobState.init(rawValue:)),
                    to: toState,
                    reason: row[4],
                    worker: row[5]
                )
            }
        }
    }

    public func countsByState() async throws -> [JobState: Int] {
        try await pool.read { db in
            var counts: [JobState: Int] = [:]
            for state in JobState.allCases { counts[state] = 0 }
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM jobs GROUP BY state") {
                let name: String = row[0]
                if let state = JobState(rawValue: name) { counts[state] = row[1] }
            }
            return counts
        }
    }

    /// Whether any job is queued or running: one index probe, cheap enough to poll.
    public func hasUnfinishedJobs() async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_state WHERE state IN ('queued', 'running'))") ?? false
        }
    }

    public func runnableCount() async throws -> Int {
        let now = clock.now()
        return try await pool.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM jobs INDEXED BY jobs_claimable WHERE state = 'queued' AND run_after <= ?",
                arguments: [now.storeSeconds]
            ) ?? 0
        }
    }

    static func fetchJob(id: JobID, db: Database) throws -> Job? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(jobColumns) FROM jobs WHERE id = ?"), arguments: [id]).map(job(from:))
    }

    static func job(from row: Row) throws -> Job {
        let stateName: String = row[3]
        guard let state = JobState(rawValue: stateName) else { throw StoreError.corruptState(stateName) }
        let leaseExpires: Double? = row[8]
        let started: Double? = row[10]
        let finished: Double? = row[11]
        return Job(
            id: row[0],
            type: row[1],
            payload: row[2],
            state: state,
            attempts: row[4],
            maxAttempts: row[5],
            runAfter: Date(storeSeconds: row[6]),
            leaseOwner: row[7],
            leaseExpiresAt: leaseExpires.map(Date.init(storeSeconds:)),
            createdAt: Date(storeSeconds: row[9]),
            startedAt: started.map(Date.init(storeSeconds:)),
            finishedAt: finished.map(Date.init(storeSeconds:)),
            updatedAt: Date(storeSeconds: row[12]),
            result: row[13],
            error: row[14],
            deliveryID: row[15]
        )
    }
}

/// The store found something it did not write.
public enum StoreError: Error, CustomStringConvertible {
    case corruptState(String)

    public var description: String {
        switch self {
        case .corruptState(let state): "the store holds an unknown job state '\(state)'"
        }
    }
}
