import Foundation
import GafferCore
import GafferTestSupport
import Testing

@testable import GafferStore

@Suite(.postgres) struct AuditedJobQueueTests {
    @Test("25: a job created or cancelled on someone's behalf commits with its audit entry, or not at all", arguments: Backend.allCases)
    func theJobAndItsEntryCommitTogether(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let now = fixture.clock.now()
        let job = try await store.enqueue(fixture.newJob()) { id in AuditEntry(at: now, actor: "api", action: "job.create", subject: "job:\(id)") }
        #expect(try await store.entries(subject: "job:\(job.id)", limit: 10).map(\.action) == ["job.create"])

        // The audit log refuses writes: neither the new job nor the cancel may happen without their entries.
        try await fixture.execute(
            sqlite: "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END",
            postgres: """
                CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$;
                CREATE TRIGGER audit_down BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_down();
                """
        )
        await #expect(throws: (any Error).self) {
            _ = try await store.enqueue(fixture.newJob()) { id in AuditEntry(at: now, actor: "api", action: "job.create", subject: "job:\(id)") }
        }
        #expect(try await store.jobs(state: nil, limit: 10).map(\.id) == [job.id])
        await #expect(throws: (any Error).self) {
            _ = try await store.cancel(
                id: job.id,
                reason: "no",
                audited: AuditEntry(at: now, actor: "api", action: "job.cancel", subject: "job:\(job.id)")
            )
        }
        #expect(try await store.job(id: job.id)?.state == .queued)
    }
}
