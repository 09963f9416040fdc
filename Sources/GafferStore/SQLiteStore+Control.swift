import Foundation
import GRDB
import GafferCore

/// The installation's switches, one row each: today only the emergency stop.
extension SQLiteStore: PauseStore {
    public func pauseState() async throws -> PauseState? {
        let data = try await pool.read { db in try Data.fetchOne(db, sql: "SELECT value FROM control WHERE key = 'pause'") }
        return try data.map(StoredForms.pause(from:))
    }

    public func setPause(_ state: PauseState?) async throws {
        let data = try state.map(StoredForms.pause)
        let now = clock.now()
        try await writer.write { db in
            if let data {
                try db.execute(
                    sql: "INSERT INTO control (key, value) VALUES ('pause', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [data]
                )
            } else {
                // The resume and the jobs the pause parked go together: none is left parked.
                try db.execute(sql: "DELETE FROM control WHERE key = 'pause'")
                try db.execute(
                    sql: "UPDATE jobs SET run_after = ? WHERE state = 'queued' AND run_after >= ?",
                    arguments: [now.storeSeconds, Job.parkedRunAfter.storeSeconds]
                )
            }
        }
        if state == nil { wakeSignal.signal() }
    }
}
