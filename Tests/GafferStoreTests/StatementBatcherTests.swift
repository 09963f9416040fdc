import GafferTestSupport
import Synchronization
import Testing

@testable import GafferStore

@Suite struct StatementBatcherTests {
    /// A statement that records the batches it was given, refuses any batch holding a negative item as the
    /// server would (with an SQLSTATE), and answers each item doubled.
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
        let firstMayFinish = WakeSignal()

        func run(_ items: [Int]) async throws -> [Int] {
            let first = batches.withLock { batches -> Bool in
                batches.append(items)
                return batches.count == 1
            }
            // The first statement waits until the rest have queued behind it, as a slow commit would make them.
            if first { await firstMayFinish.wait(since: 0, timeout: .seconds(60)) }
            if items.contains(where: { $0 < 0 }) { throw PostgresStoreError(description: "refused", sqlState: "23503") }
            return items.map { $0 * 2 }
        }
    }

    @Test func callsThatArriveDuringAStatementGoTogetherInTheNextAndABadOneFailsAlone() async throws {
        let batcher = StatementBatcher<Int, Int>()
        let recorder = Recorder()
        let answers = try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
            group.addTask { (0, try await batcher.submit(0, statement: recorder.run)) }
            try await waitUntil(timeout: .seconds(60), "the first statement") { !recorder.batches.withLock(\.isEmpty) }
            for item in [1, 2, -3, 4, 5] {
                group.addTask { (item, try? await batcher.submit(item, statement: recorder.run)) }
            }
            // Until all five are queued: the first statement is still running, so none has been sent.
            try await waitUntil(timeout: .seconds(60), "five calls queued") { batcher.queuedCount == 5 }
            recorder.firstMayFinish.signal()
            return try await group.reduce(into: [Int: Int?]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers == [0: 0, 1: 2, 2: 4, -3: nil, 4: 8, 5: 10])
        let batches = recorder.batches.withLock { $0 }
        // The five went in one statement; refused, each went alone.
        #expect(batches.first == [0])
        #expect(batches.count == 7)
        #expect(batches.dropFirst().first.map(Set.init) == [1, 2, -3, 4, 5])
        #expect(batches.dropFirst(2).allSatisfy { $0.count == 1 })
    }
}
