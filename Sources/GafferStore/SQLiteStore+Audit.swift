import Foundation
import GafferCore
import GRDB

extension SQLiteStore: AuditLog {
    public func append(_ entry: AuditEntry) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [entry.at.storeSeconds, entry.actor, entry.action, entry.subject, entry.detail]
            )
        }
    }

    public func entries(subject: String?, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            let rows: [Row]
            if let subject {
                rows = try Row.fetchAll(db, sql: "SELECT at, actor, action, subject, detail FROM audit_log WHERE subject = ? ORDER BY id DESC LIMIT ?", arguments: [subject, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit])
            }
            return rows.map { row in
                AuditEntry(at: Date(storeSeconds: row[0]), actor: row[1], action: row[2], subject: row[3], detail: row[4])
            }
        }
    }
}
