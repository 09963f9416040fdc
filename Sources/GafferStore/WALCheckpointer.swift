import Foundation
import GRDB
import Synchronization

/// Copies the write-ahead log into the database from a connection of its
/// own, so the writer seldom stops to do it.
///
/// By default SQLite checkpoints inside the commit that crosses 1,000 pages,
/// on the writing thread, and every delivery waiting on that commit waits
/// for the copy and its fsync too. Here the writer's connection does not
/// checkpoint by itself. This one runs a passive checkpoint (which never
/// blocks the writer) every `interval`. Under steady load the log is never
/// empty when the writer starts a transaction, so it would grow without
/// end; once it passes `restartFrames` (16 MB), this connection catches up
/// and the writer is asked to checkpoint the little that is left between
/// two transactions, which lets its next transaction start the log from the
/// beginning. That pause is the p99 of the ingest benchmark; a RESTART
/// checkpoint from here, or a larger log, holds the writer up for longer.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let interval: Duration
    private let restartFrames: Int
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let restartWanted = Atomic<Bool>(false)

    init(path: String, interval: Duration = .milliseconds(20), restartFrames: Int = 4_096) throws {
        var configuration = Configuration()
        configuration.busyMode = SQLiteStore.busyMode
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
        self.restartFrames = restartFrames
    }

    func start() {
        // The loop holds the checkpointer until `stop()` cancels it.
        let loop = Task.detached(priority: .utility) { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard var frames = try? await passive(), frames > restartFrames else { continue }
                // Catch up until one pass finds little new, so that what the
                // writer has left to copy between its transactions is small.
                for _ in 0..<32 where !Task.isCancelled {
                    guard let now = try? await passive() else { break }
                    defer { frames = now }
                    if now - frames < 64 {
                        restartWanted.store(true, ordering: .relaxed)
                        break
                    }
                }
            }
        }
        task.withLock { $0 = loop }
    }

    private func passive() async throws -> Int {
        try await connection.writeWithoutTransaction { db in try db.checkpoint(.passive).walFrameCount }
    }

    /// Called by the writer between transactions: checkpoints what the last
    /// passive checkpoint left, when the log has grown long.
    func restartIfWanted(_ db: Database) {
        guard restartWanted.exchange(false, ordering: .relaxed) else { return }
        _ = try? db.checkpoint(.passive)
    }

    /// Stops the loop and copies what is left, leaving an empty log behind.
    /// Calling it again does nothing.
    func stop() {
        guard
            let loop = task.withLock({ task in
                defer { task = nil }
                return task
            })
        else { return }
        loop.cancel()
        _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try? connection.close()
    }
}
