import Foundation
import GafferCore
import PostgresNIO

extension PostgresStore: AuditedJobQueue {
    public func append(_ entry: AuditEntry) async throws {
        _ = try await rows(Self.insertAudit(entry))
    }

    static func insertAudit(_ entry: AuditEntry) -> PostgresQuery {
        """
        INSERT INTO audit_log (at, actor, action, subject, detail)
        VALUES (\(entry.at.storeSeconds), \(entry.actor), \(entry.action), \(entry.subject), \(entry.detail))
        """
    }

    public func entries(subject: String?, limit: Int) async throws -> [AuditEntry] {
        let found =
            if let subject {
                try await rows("SELECT at, actor, action, subject, detail FROM audit_log WHERE subject = \(subject) ORDER BY id DESC LIMIT \(limit)")
            } else {
                try await rows("SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT \(limit)")
            }
        return try found.map { row in
            AuditEntry(
                at: Date(storeSeconds: try row.decode(column: 0)),
                actor: try row.decode(column: 1),
                action: try row.decode(column: 2),
                subject: try row.decode(column: 3),
                detail: try row.decode(column: 4)
            )
        }
    }

    public func enqueue(_ job: NewJob, audited entry: @escaping @Sendable (JobID) -> AuditEntry) async throws -> Job {
        let now = clock.now()
        let id = try await transaction { connection in
            let id = try await self.insertJob(job, now: now, on: connection)
            _ = try await connection.rows(Self.insertAudit(entry(id)), logger: self.logger)
            return id
        }
        wakeSignal.signal(waking: 1)
        return SQLiteStore.queued(job, id: id, now: now)
    }

    public func cancel(id: JobID, reason: String, audited entry: AuditEntry) async throws -> Job? {
        try await transaction { connection in
            let before = try await connection.rows("SELECT state FROM jobs WHERE id = \(id) FOR UPDATE", logger: self.logger)
            let wasFinal = try before.first.map { JobState(rawValue: try $0.decode(String.self, column: 0))?.isFinal ?? true } ?? true
            let job = try await self.cancel(id: id, reason: reason, at: entry.at, on: connection)
            if !wasFinal { _ = try await connection.rows(Self.insertAudit(entry), logger: self.logger) }
            return job
        }
    }
}
