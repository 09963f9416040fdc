import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

@Suite(.postgres) struct DeliveryStoreTests {
    @Test(arguments: Backend.allCases) func aDeliveryAndItsJobAreStoredTogether(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let outcome = try await fixture.store.record(fixture.delivery("d-1"), job: fixture.newJob("github.delivery"))
        guard case .queued(let jobID) = outcome else {
            Issue.record("expected queued, got \(outcome)")
            return
        }
        let stored = try #require(try await fixture.store.delivery(id: "d-1"))
        #expect(stored.event == "issues")
        #expect(stored.action == "opened")
        #expect(stored.body == Data(#"{"action":"opened"}"#.utf8))
        let job = try #require(try await fixture.store.job(id: jobID))
        #expect(job.state == .queued)
        #expect(job.type == "github.delivery")
    }

    @Test(arguments: Backend.allCases) func aRedeliveryChangesNothing(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        _ = try await fixture.store.record(fixture.delivery("d-1"), job: fixture.newJob())
        let again = try await fixture.store.record(fixture.delivery("d-1"), job: fixture.newJob())
        #expect(again == .duplicate)
        #expect(try await fixture.store.deliveryCount() == 1)
        #expect(try await fixture.store.jobs(state: nil, limit: 10).count == 1)
    }

    @Test(arguments: Backend.allCases) func anEventWithoutAJobIsRecordedOnly(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        #expect(try await fixture.store.record(fixture.delivery("p-1", event: "ping", action: nil), job: nil) == .recorded)
        #expect(try await fixture.store.deliveryCount() == 1)
        #expect(try await fixture.store.jobs(state: nil, limit: 10).isEmpty)
    }

    @Test(arguments: Backend.allCases) func concurrentDeliveriesAreEachStoredOnceWithOneJob(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        // Each id twice, all at once: the group commit puts many in one
        // transaction and the duplicates must still be caught.
        let outcomes = try await withThrowingTaskGroup(of: DeliveryRecordOutcome.self) { group in
            for round in 0..<2 {
                for i in 0..<500 {
                    let delivery = fixture.delivery("d-\(i)")
                    let job = NewJob(type: "echo", payload: Data("{}".utf8), maxAttempts: 3, deliveryID: "d-\(i)")
                    _ = round
                    group.addTask { try await store.record(delivery, job: job) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .duplicate }.count == 500)
        #expect(try await store.deliveryCount() == 500)
        #expect(try await store.countsByState()[.queued] == 500)
    }
}
