import GRDB
import Synchronization

/// Runs many small writes in one transaction.
///
/// SQLite commits a few thousand transactions a second, but each can hold
/// thousands of rows. Callers hand in a write and wait; while one transaction
/// is committing, the writes that arrive queue up and go together in the
/// next. Each write runs in its own savepoint, so one that throws is rolled
/// back alone, and each caller is answered only after the commit that holds
/// its write: an answer always means the write is durable.
///
/// Batches grow by themselves under load and stay at one write when idle,
/// so there is no timer to tune.
final class GroupCommitWriter: Sendable {
    /// One queued write. `perform` runs it in the open transaction and hands
    /// back the answer to give once the transaction has committed; `fail`
    /// answers instead when the transaction as a whole did not commit.
    private struct PendingWrite: Sendable {
        let perform: @Sendable (Database) -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var pending: [PendingWrite] = []
        var flushing = false
    }

    private let writer: any DatabaseWriter
    private let checkpointer: WALCheckpointer?
    private let state = Mutex(State())
    private let maxBatch: Int

    init(writer: any DatabaseWriter, checkpointer: WALCheckpointer?, maxBatch: Int = 1024) {
        self.writer = writer
        self.checkpointer = checkpointer
        self.maxBatch = maxBatch
    }

    /// Runs `work` inside a shared transaction and returns its value after the commit.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let pending = PendingWrite(
                perform: { db in
                    let outcome: Result<T, any Error>
                    do {
                        outcome = .success(try Self.inSavepoint(db) { try work(db) })
                    } catch {
                        outcome = .failure(error)
                    }
                    return { continuation.resume(with: outcome) }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            let startFlush = state.withLock { state -> Bool in
                state.pending.append(pending)
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if startFlush {
                // On the database's own writer queue, not in a task: a write (a lease renewal above all)
                // must never wait for a thread of Swift's concurrency pool, which busy jobs may all hold.
                writer.asyncWriteWithoutTransaction { db in self.flush(db) }
            }
        }
    }

    private func flush(_ db: Database) {
        while true {
            let batch = state.withLock { state -> [PendingWrite] in
                let take = min(state.pending.count, maxBatch)
                let batch = Array(state.pending.prefix(take))
                state.pending.removeFirst(take)
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                var answers: [@Sendable () -> Void] = []
                try db.inTransaction {
                    answers = batch.map { $0.perform(db) }
                    return .commit
                }
                checkpointer?.restartIfWanted(db)
                for answer in answers { answer() }
            } catch {
                // The commit itself failed (disk full, I/O error): nothing of
                // the batch was kept, and every caller is told so.
                for pending in batch { pending.fail(error) }
            }
        }
    }
}

extension GroupCommitWriter {
    /// Runs `work` in a savepoint of the open transaction, rolled back if it
    /// throws. GRDB's `inSavepoint` parses its SQL anew on every call, which
    /// costs more than many of the writes themselves; these are prepared once.
    static func inSavepoint<T>(_ db: Database, _ work: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "SAVEPOINT write").execute()
        do {
            let value = try work()
            try db.cachedStatement(sql: "RELEASE write").execute()
            return value
        } catch {
            try db.cachedStatement(sql: "ROLLBACK TO write").execute()
            try db.cachedStatement(sql: "RELEASE write").execute()
            throw error
        }
    }
}
