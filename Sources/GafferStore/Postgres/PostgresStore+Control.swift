import Foundation
import GafferCore
import PostgresNIO

/// The installation's switches, one row each: today only the emergency stop, which every process
/// reads from here, so a pause through one replica holds in all.
extension PostgresStore: PauseStore {
    public func pauseState() async throws -> PauseState? {
        let data = try await rows("SELECT value FROM control WHERE key = 'pause'").first?.decode(Data.self, column: 0)
        return try data.map(StoredForms.pause(from:))
    }

    public func setPause(_ state: PauseState?) async throws {
        let data = try state.map(StoredForms.pause)
        let now = clock.now()
        try await transaction { connection in
            if let data {
                _ = try await connection.rows(
                    "INSERT INTO control (key, value) VALUES ('pause', \(data)) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    logger: self.logger
                )
            } else {
                // The resume and the jobs the pause parked go together: none is left parked.
                _ = try await connection.rows("DELETE FROM control WHERE key = 'pause'", logger: self.logger)
                _ = try await connection.rows(
                    """
                    UPDATE jobs SET run_after = \(now.storeSeconds) WHERE state = 'queued' AND run_after >= \(Job.parkedRunAfter.storeSeconds)
                    """,
                    logger: self.logger
                )
                _ = try await connection.rows("SELECT pg_notify(\(Self.jobsChannel), '')", logger: self.logger)
            }
        }
        if state == nil { wakeSignal.signal() }
    }
}
