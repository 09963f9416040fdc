import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

/// Plans, the dashboard's reads, its sessions, the emergency stop and retention: the same answers from both back ends.
@Suite(.postgres) struct PlanStoreTests {
    static func plan(_ id: String, issue: Int, repository: String = "acme/infra", at: Date) -> Plan {
        Plan(
            id: id,
            task: AwsTask(kind: .discover, resource: nil, issue: issue),
            repository: repository,
            steps: [
                Step(id: "infrastructure", agent: .infrastructure, intent: .writeStack),
                Step(id: "security", agent: .security, intent: .reviewSecurity, dependsOn: ["infrastructure"]),
            ],
            limits: PlanLimits(),
            at: at
        )
    }

    @Test(arguments: Backend.allCases) func aPlanReadsBackAsSavedAndItsMessagesOnlyGrow(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let start = fixture.clock.now()
        var plan = Self.plan("p1", issue: 7, at: start)
        try await store.savePlan(plan)
        #expect(try await store.plan(id: "p1") == plan)

        plan.steps[0].state = .succeeded
        plan.steps[0].startedAt = start
        plan.steps[0].endedAt = start.addingTimeInterval(4)
        plan.messages = [AgentMessage(sender: .security, recipient: .infrastructure, intent: .requestChange, content: "versioning", at: start)]
        plan.gaps = [CapabilityGap(agent: .cost, asked: "price it", lacking: "no price list")]
        plan.state = .ready
        plan.updatedAt = start.addingTimeInterval(5)
        try await store.savePlan(plan)
        try await store.savePlan(plan)
        #expect(try await store.plan(id: "p1") == plan, "saved twice, each message and gap once")

        var newer = Self.plan("p2", issue: 7, repository: "Acme/Infra", at: start.addingTimeInterval(60))
        newer.state = .failed
        try await store.savePlan(newer)
        #expect(try await store.latestPlan(repository: "ACME/infra", issue: 7)?.id == "p2", "the repository compared without case")
        #expect(try await store.latestPlan(repository: "acme/infra", issue: 8) == nil)
        #expect(try await store.plan(id: "nope") == nil)
    }

    @Test(arguments: Backend.allCases) func theDashboardCountsPagesSearchesAndTimesTheAgents(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let start = fixture.clock.now()
        let before = try await store.dashboardVersion()
        var plans: [Plan] = []
        for index in 1...25 {
            var plan = Self.plan("plan-\(index)", issue: index, repository: index <= 20 ? "acme/web" : "acme/100%", at: start)
            plan.updatedAt = start.addingTimeInterval(Double(index))
            plan.state = index % 5 == 0 ? .failed : .ready
            // Durations 1…25 s for the infrastructure agent; the security step of the last plan is still running.
            plan.steps[0].state = .succeeded
            plan.steps[0].startedAt = start
            plan.steps[0].endedAt = start.addingTimeInterval(Double(index))
            if index == 25 {
                plan.steps[1].state = .running
                plan.steps[1].startedAt = start
            }
            plans.append(plan)
        }
        for plan in plans { try await store.savePlan(plan) }
        #expect(try await store.dashboardVersion() != before, "the live pages see the change")

        #expect(try await store.taskCounts() == [.ready: 20, .failed: 5])
        let first = try await store.tasks(state: nil, search: nil, page: 1, perPage: 10)
        #expect(first.total == 25 && first.items.map(\.planID).prefix(2) == ["plan-25", "plan-24"], "newest first")
        #expect(first.items.first?.steps == 2)
        let last = try await store.tasks(state: nil, search: nil, page: 3, perPage: 10)
        #expect(last.items.count == 5 && last.total == 25)
        #expect(try await store.tasks(state: nil, search: nil, page: 9, perPage: 10).total == 25, "a page past the end still counts")
        #expect(try await store.tasks(state: .failed, search: nil, page: 1, perPage: 10).total == 5)
        #expect(try await store.tasks(state: nil, search: "#7", page: 1, perPage: 10).items.map(\.planID) == ["plan-7"])
        #expect(try await store.tasks(state: nil, search: "100%", page: 1, perPage: 50).total == 5, "a % is a character, not a wildcard")
        #expect(try await store.tasks(state: .failed, search: "100%", page: 1, perPage: 50).total == 1)

        let running = try await store.runningSteps(limit: 10)
        #expect(running.map(\.planID) == ["plan-25"] && running.first?.agent == .security)
        let infrastructure = try #require(try await store.agentActivity().first { $0.agent == .infrastructure })
        #expect(infrastructure.steps == 25 && infrastructure.succeeded == 25)
        #expect(infrastructure.meanSeconds == 13)
        #expect(infrastructure.p95Seconds == 24, "the 24th of 25 durations in order")
    }

    @Test(arguments: Backend.allCases) func aSessionLastsUntilItExpiresOrIsSignedOut(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let now = fixture.clock.now()
        let session = DashboardSession(login: "bob", via: .github, csrf: "c", createdAt: now, expiresAt: now.addingTimeInterval(60))
        try await store.saveSession(session, tokenHash: "h1")
        try await store.saveSession(
            DashboardSession(login: "eve", via: .github, csrf: "d", createdAt: now, expiresAt: now.addingTimeInterval(10)),
            tokenHash: "h2"
        )
        #expect(try await store.session(tokenHash: "h1", now: now) == session)
        #expect(try await store.session(tokenHash: "h2", now: now.addingTimeInterval(11)) == nil)
        #expect(try await store.deleteExpiredSessions(now: now.addingTimeInterval(11)) == 1)
        try await store.deleteSession(tokenHash: "h1")
        #expect(try await store.session(tokenHash: "h1", now: now) == nil)
    }

    @Test(arguments: Backend.allCases) func aPauseParksJobsAndTheResumeReleasesThem(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        _ = try await store.enqueue(fixture.newJob())
        let lease = try #require(try await store.claim(owner: "w", limit: 1, leaseDuration: 30).first?.lease)
        let pause = PauseState(by: "bob", reason: "incident 9", at: fixture.clock.now())
        try await store.setPause(pause)
        #expect(try await store.pauseState() == pause)
        try await store.park(lease, reason: "paused")
        #expect(try await store.claim(owner: "w", limit: 1, leaseDuration: 30).isEmpty, "parked until the resume")
        try await store.setPause(nil)
        #expect(try await store.pauseState() == nil)
        let again = try #require(try await store.claim(owner: "w", limit: 1, leaseDuration: 30).first)
        #expect(again.attempts == 1, "the parked attempt was given back")
    }

    @Test(arguments: Backend.allCases) func retentionDeletesFinishedJobsWithTheirDeliveriesAndKeepsTheRest(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        var done = fixture.newJob()
        done.deliveryID = "old"
        _ = try await store.record(fixture.delivery("old"), job: done)
        _ = try await store.record(fixture.delivery("ping", event: "ping", action: nil), job: nil)
        let lease = try #require(try await store.claim(owner: "w", limit: 1, leaseDuration: 30).first?.lease)
        #expect(try await store.complete(lease, result: Data()))
        var waiting = fixture.newJob()
        waiting.deliveryID = "waiting"
        _ = try await store.record(fixture.delivery("waiting"), job: waiting)
        fixture.clock.advance(by: 100)
        let pruned = try await store.prune(finishedBefore: fixture.clock.now(), limit: 10)
        #expect(pruned.jobs.count == 1 && pruned.deliveries == 2)
        #expect(try await store.deliveryCount() == 1)
        #expect(try await store.delivery(id: "waiting") != nil)
        #expect(try await store.prune(finishedBefore: fixture.clock.now(), limit: 10).isEmpty)
    }
}
