import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

/// `gaffer migrate --from sqlite:PATH --to postgres://…`: an installation's history moved to PostgreSQL,
/// interrupted and resumed, verified, and read back by the PostgreSQL store as SQLite held it.
@Suite(.postgres) struct StoreCopyTests {
    @Test func aCopyStoppedHalfWayGoesOnWhereItStoppedAndEverythingReadsBackTheSame() async throws {
        let sqlite = try await StoreFixture(.sqlite)
        defer { sqlite.cleanUp() }
        let postgres = try await StoreFixture(.postgres)
        defer { postgres.cleanUp() }
        let (source, target) = (try #require(sqlite.store as? SQLiteStore), try #require(postgres.store as? PostgresStore))
        let now = sqlite.clock.now()

        // A history: deliveries with jobs in every state, plans with messages and gaps, decisions, a lock, a pause.
        for index in 0..<30 {
            var job = sqlite.newJob()
            job.deliveryID = "d-\(index)"
            _ = try await source.record(sqlite.delivery("d-\(index)"), job: job)
        }
        for lease in try await source.claim(owner: "w", limit: 10, leaseDuration: 30).compactMap(\.lease) {
            _ = try await source.complete(lease, result: Data(#"{"ok":true}"#.utf8))
        }
        var plan = PlanStoreTests.plan("Plan-B", issue: 7, at: now)
        plan.messages = [AgentMessage(sender: .security, recipient: .infrastructure, intent: .requestChange, content: "versioning", at: now)]
        plan.gaps = [CapabilityGap(agent: .cost, asked: "price it", lacking: "no price list")]
        try await source.savePlans([plan, PlanStoreTests.plan("plan-a", issue: 8, at: now)])
        _ = try await source.saveChangePlan(ChangeStoreTests.plan("cp-1", at: now))
        _ = try await source.acquireLock(StackLock(key: ChangeStoreTests.key, repository: "acme/infra", pullRequest: 8, issue: 7, at: now))
        try await source.setPause(PauseState(by: "bob", reason: "moving house", at: now))
        try await source.append(AuditEntry(at: now, actor: "api", action: "job.create", subject: "job:1"))

        // Stopped after three batches of five rows, as a killed copy would be; the second run goes on from there.
        let copy = StoreCopy(source: source, target: target, batchSize: 5)
        await #expect(throws: StoreCopyInterrupted.self) { _ = try await copy.run(stopAfter: 3) }
        #expect(try await target.deliveryCount() == 15, "three batches of deliveries copied before the stop")
        let reports = try await copy.run()
        let unverified = reports.filter { !$0.verified }
        #expect(unverified.isEmpty, "\(unverified)")
        #expect(reports.first { $0.table == "deliveries" }?.copied == 15, "the second run went on from the 16th delivery")

        // The PostgreSQL store reads what SQLite held.
        #expect(try await target.plan(id: "Plan-B") == plan)
        #expect(try await target.latestPlan(repository: "acme/infra", issue: 8)?.id == "plan-a")
        let (jobs, events) = (try await source.jobs(state: nil, limit: 100), try await source.events(jobID: 1))
        #expect(try await target.jobs(state: nil, limit: 100) == jobs)
        #expect(try await target.events(jobID: 1) == events)
        let (pause, changePlan) = (try await source.pauseState(), try await source.changePlan(id: "cp-1"))
        #expect(try await target.pauseState() == pause && pause != nil)
        #expect(try await target.changePlan(id: "cp-1") == changePlan && changePlan != nil)
        #expect(try await target.lock(for: ChangeStoreTests.key)?.pullRequest == 8)
        // Run again after the source moved on: what changed is brought over, and it all still verifies.
        let lease = try #require(try await source.claim(owner: "w", limit: 1, leaseDuration: 30).first?.lease)
        _ = try await source.complete(lease, result: Data())
        let again = try await copy.run()
        let unverifiedAgain = again.filter { !$0.verified }
        #expect(unverifiedAgain.isEmpty, "\(unverifiedAgain)")
        #expect(try await target.job(id: lease.jobID)?.state == .succeeded)

        // New rows continue after the copied ones; a row only PostgreSQL has is told apart by the next verification.
        let next = try await target.enqueue(postgres.newJob())
        #expect(next.id == 31)
        let diverged = try await copy.run()
        #expect(diverged.first { $0.table == "jobs" }.map { !$0.verified && $0.targetRows == 31 } == true)
    }
}
