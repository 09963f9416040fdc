import Foundation
import GRDB
import GafferCore

extension SQLiteStore: AuditedJobQueue {
    public func append(_ entry: AuditEntry) async throws {
        try await writer.write { db in try Self.insertAudit(entry, db: db) }
    }

    static func insertAudit(_ entry: AuditEntry, db: Database) throws {
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            arguments: [entry.at.storeSeconds, entry.actor, entry.action, entry.subject, entry.detail]
        )
    }

    public func entries(subject: String?, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            let rows: [Row]
            if let subject {
                rows = try Row.fetchAll(
                    db,
                    sql: "SELECT at, actor, action, subject, detail FROM audit_log WHERE subject = ? ORDER BY id DESC LIMIT ?",
                    arguments: [subject, limit]
                )
            } else {
                rows = try Row.fetchAll(
                    db,
                    sql: "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?",
                    arguments: [limit]
                )
            }
            return rows.map { row in
                AuditEntry(at: Date(storeSeconds: row[0]), actor: row[1], action: row[2], subject: row[3], detail: row[4])
            }
        }
    }

    public func enqueue(_ job: NewJob, audited entry: @escaping @Sendable (JobID) -> AuditEntry) async throws -> Job {
        let now = clock.now()
        let stored = try await writer.write { db -> Job in
            let id = try Self.insertJob(job, now: now, db: db)
            try Self.insertAudit(entry(id), db: db)
            return Self.queued(job, id: id, now: now)
        }
        wakeSignal.signal(waking: 1)
        return stored
    }

    public func cancel(id: JobID, reason: String, audited entry: AuditEntry) async throws -> Job? {
        try await writer.write { db -> Job? in
            guard let job = try Self.fetchJob(id: id, db: db) else { return nil }
            if job.state.isFinal { return job }
            let cancelled = try Self.cancel(job, reason: reason, at: entry.at, db: db)
            try Self.insertAudit(entry, db: db)
            return cancelled
        }
    }
}
