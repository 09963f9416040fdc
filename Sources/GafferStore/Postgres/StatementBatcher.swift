import Synchronization

/// Group commit for PostgreSQL, as `GroupCommitWriter` is for SQLite.
///
/// A commit waits for its write-ahead log to reach the disk, and each statement is parsed and
/// planned anew; the rows themselves cost little. Calls of one kind (an ingest, an enqueue, a
/// completion) that arrive while a statement of that kind is running queue up and go together in
/// the next: one statement over arrays, one plan, one commit. Each caller is answered only after
/// the commit that holds its row. Batches grow by themselves under load and stay at one call when
/// idle, so there is no timer to tune.
///
/// Every caller of one batcher passes the same `statement`; the batch runs the one its first caller passed.
final class StatementBatcher<Item: Sendable, Answer: Sendable>: Sendable {
    /// Runs the items as one statement and returns their answers in the items' order.
    typealias Statement = @Sendable ([Item]) async throws -> [Answer]

    private struct Pending: Sendable {
        let item: Item
        let statement: Statement
        let continuation: CheckedContinuation<Answer, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var flushing = false
    }

    private let state = Mutex(State())
    private let maxBatch: Int

    init(maxBatch: Int = 1000) {
        self.maxBatch = max(maxBatch, 1)
    }

    /// The calls waiting for the next statement.
    var queuedCount: Int { state.withLock { $0.pending.count } }

    func submit(_ item: Item, statement: @escaping Statement) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            let startFlush = state.withLock { state -> Bool in
                state.pending.append(Pending(item: item, statement: statement, continuation: continuation))
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if startFlush { Task { await self.flush() } }
        }
    }

    private func flush() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let take = min(state.pending.count, maxBatch)
                let batch = Array(state.pending.prefix(take))
                state.pending.removeFirst(take)
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            guard let statement = batch.first?.statement else { return }
            await run(batch, statement)
        }
    }

    private func run(_ batch: [Pending], _ statement: Statement) async {
        do {
            let answers = try await statement(batch.map(\.item))
            guard answers.count == batch.count else {
                throw PostgresStoreError(description: "a batched statement answered \(answers.count) of \(batch.count) rows")
            }
            for (pending, answer) in zip(batch, answers) { pending.continuation.resume(returning: answer) }
        } catch let error as PostgresStoreError where error.sqlState != nil && batch.count > 1 {
            // The server refused the statement, for one row's sake (a constraint) or because two processes'
            // batches deadlocked: nothing of it was kept, and each runs alone, so only a bad row fails.
            for pending in batch { await run([pending], statement) }
        } catch {
            for pending in batch { pending.continuation.resume(throwing: error) }
        }
    }
}
