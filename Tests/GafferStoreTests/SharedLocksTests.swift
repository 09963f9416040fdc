import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

/// One job at a time per task across replicas: the PostgreSQL store's task locks, taken through two stores
/// as two machines would.
@Suite(.postgres) struct SharedLocksTests {
    @Test func aTaskLockedThroughOneStoreWaitsInTheOtherAndOtherTasksDoNot() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.cleanUp() }
        let (first, second) = (try #require(fixture.store as? PostgresStore), try #require(try fixture.openAnother() as? PostgresStore))
        defer { second.close() }
        let events = Locked<[String]>([])
        let entered = Locked(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await first.exclusively("acme/web#7", isolation: nil) {
                    events.update { $0.append("first in") }
                    entered.update { $0 = true }
                    // Held until another task has gone through, and a while more for the second to wait.
                    try await waitUntil("the other task") { events.value.contains("other task") }
                    try await Task.sleep(for: .milliseconds(300))
                    events.update { $0.append("first out") }
                }
            }
            try await waitUntil("the first to hold the lock") { entered.value }
            group.addTask {
                try await second.exclusively("acme/web#7", isolation: nil) { events.update { $0.append("second in") } }
            }
            // Another task is not held up by the first's lock.
            try await second.exclusively("acme/web#8", isolation: nil) { events.update { $0.append("other task") } }
            try await group.waitForAll()
        }
        #expect(events.value == ["first in", "other task", "first out", "second in"])
        // A failing body lets go too.
        await #expect(throws: CancellationError.self) { try await first.exclusively("acme/web#7", isolation: nil) { throw CancellationError() } }
        try await second.exclusively("acme/web#7", isolation: nil) { events.update { $0.append("after a failure") } }
        #expect(events.value.last == "after a failure")
    }

    @Test func workWhoseLockConnectionDropsIsStoppedAndAnotherReplicaTakesTheLock() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.cleanUp() }
        let (first, second) = (try #require(fixture.store as? PostgresStore), try #require(try fixture.openAnother() as? PostgresStore))
        defer { second.close() }
        let entered = Locked(false)
        let stopped = Locked(false)
        let held = Task {
            try await first.exclusively("acme/web#9", isolation: nil) {
                entered.update { $0 = true }
                // Works until stopped, as a long job would (for 30 s at most: the test fails, not hangs).
                let deadline = ContinuousClock.now + .seconds(30)
                while !Task.isCancelled && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
                stopped.update { $0 = Task.isCancelled }
                throw CancellationError()
            }
        }
        try await waitUntil("the first to hold the lock") { entered.value }
        // The server ends the session that holds the lock, as a failover or a cut network would.
        try await fixture.execute(
            sqlite: "",
            postgres: """
                SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """
        )
        let error = await #expect(throws: PostgresStoreError.self) { try await held.value }
        #expect(error?.description.contains("the lock on 'acme/web#9' was lost") == true, "\(String(describing: error))")
        #expect(stopped.value, "the work was stopped")
        let after = try await second.exclusively("acme/web#9", isolation: nil) { "taken" }
        #expect(after == "taken")
    }
}
