import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

/// Change plans, decisions, locks, the registry and deployments in SQLite.
@Suite(.postgres) struct ChangeStoreTests {
    static let key = StackKey(account: "123456789012", region: "us-east-1", name: "gaffer-s3-bucket-logs")

    static func plan(_ id: String, pullRequest: Int = 8, at: Date) -> ChangePlan {
        ChangePlan(
            id: id,
            repository: "Acme/Infra",
            issue: 7,
            pullRequest: pullRequest,
            headSHA: "c0ffee",
            stacks: [
                PlannedStack(
                    key: key,
                    changeSetType: "CREATE",
                    changeSetName: "n",
                    changeSetID: "arn:cs",
                    templatePath: "t",
                    templateHash: "h",
                    changes: []
                )
            ],
            requestedBy: "bob",
            requester: "alice",
            createdAt: at
        )
    }

    @Test(arguments: Backend.allCases) func aPlanIsKeptAsMadeAndOnlyItsStateMovesOnceFromEachState(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let first = Self.plan("p1", at: fixture.clock.now())
        #expect(try await store.saveChangePlan(first) == first)
        var other = Self.plan("p1", at: fixture.clock.now())
        other.headSHA = "different"
        #expect(try await store.saveChangePlan(other).headSHA == "c0ffee", "a plan with the same id is not replaced")
        fixture.clock.advance(by: 1)
        _ = try await store.saveChangePlan(Self.plan("p2", at: fixture.clock.now()))
        #expect(try await store.latestChangePlan(repository: "acme/infra", pullRequest: 8)?.id == "p2", "found whatever the case of the name")

        // Two workers racing to apply: exactly one moves it.
        async let one = store.transitionChangePlan("p2", from: [.planned], to: .applying)
        async let two = store.transitionChangePlan("p2", from: [.planned], to: .applying)
        #expect([try await one, try await two].filter { $0 }.count == 1)
        #expect(try await store.changePlan(id: "p2")?.state == .applying)
        #expect(try await !store.transitionChangePlan("p2", from: [.planned], to: .discarded))
        #expect(try await store.transitionChangePlan("p2", from: [.applying], to: .applied))
        #expect(try await store.changePlan(id: "p2")?.state == .applied)
        #expect(try await store.changePlan(id: "p1")?.state == .planned)
    }

    @Test(arguments: Backend.allCases) func aStackIsLockedByOnePullRequestUntilItIsReleased(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let mine = StackLock(key: Self.key, repository: "acme/infra", pullRequest: 8, issue: 7, at: fixture.clock.now())
        let theirs = StackLock(key: Self.key, repository: "acme/infra", pullRequest: 9, issue: 10, at: fixture.clock.now())
        #expect(try await store.acquireLock(mine) == mine)
        #expect(try await store.acquireLock(theirs) == mine, "the holder is returned")
        #expect(try await store.acquireLock(mine) == mine, "taking it again is a no-op")
        #expect(try await store.releaseLocks(repository: "acme/infra", pullRequest: 9, keys: nil).isEmpty, "only the holder releases")
        let elsewhere = StackKey(account: "123456789012", region: "eu-west-1", name: Self.key.name)
        #expect(
            try await store.acquireLock(StackLock(key: elsewhere, repository: "acme/infra", pullRequest: 9, issue: 10, at: fixture.clock.now()))
                .pullRequest == 9
        )
        #expect(try await store.locks(repository: "ACME/infra", pullRequest: 8) == [mine])
        #expect(try await store.releaseLocks(repository: "acme/infra", pullRequest: 8, keys: nil) == [mine])
        #expect(try await store.lock(for: Self.key) == nil)
        #expect(try await store.acquireLock(theirs) == theirs)
    }

    @Test(arguments: Backend.allCases) func decisionsRegistryAndDeploymentsReadBackInOrder(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let now = fixture.clock.now()
        try await store.recordDecision(
            Decision(repository: "acme/infra", pullRequest: 8, planID: "p1", verdict: .approve, by: "bob", reason: nil, at: now)
        )
        try await store.recordDecision(
            Decision(repository: "acme/infra", pullRequest: 8, planID: "p1", verdict: .deny, by: "carol", reason: "no", at: now)
        )
        try await store.recordDecision(
            Decision(repository: "acme/infra", pullRequest: 9, planID: "p9", verdict: .approve, by: "bob", reason: nil, at: now)
        )
        #expect(try await store.decisions(repository: "acme/infra", pullRequest: 8).map(\.by) == ["bob", "carol"])

        func resource(_ arn: String, cost: Double) -> RegisteredResource {
            RegisteredResource(
                arn: arn,
                resourceType: "AWS::S3::Bucket",
                logicalID: "Bucket",
                stack: Self.key,
                ownerAgent: .infrastructure,
                costPerDayUSD: cost,
                repository: "acme/infra",
                issue: 7,
                updatedAt: now
            )
        }
        try await store.register([resource("arn:aws:s3:::a", cost: 1), resource("arn:aws:s3:::b", cost: 2)])
        try await store.register([resource("arn:aws:s3:::a", cost: 3)])
        #expect(try await store.registeredResources().map(\.costPerDayUSD) == [3, 2], "a resource registered again is replaced")
        #expect(try await store.registeredResources(in: [Self.key]).count == 2)
        #expect(try await store.registeredResources(in: [StackKey(account: "1", region: "r", name: "other")]).isEmpty)
        try await store.unregister(stack: Self.key)
        #expect(try await store.registeredResources().isEmpty)

        let deployment = Deployment(
            planID: "p1",
            stack: Self.key,
            repository: "acme/infra",
            issue: 7,
            pullRequest: 8,
            status: "CREATE_COMPLETE",
            succeeded: true,
            by: "alice",
            startedAt: now,
            endedAt: now
        )
        try await store.recordDeployment(deployment)
        var again = deployment
        again.status = "UPDATE_COMPLETE"
        try await store.recordDeployment(again)
        #expect(try await store.deployments(repository: "ACME/INFRA") == [deployment], "once per plan and stack")
        #expect(try await store.deployments(repository: "acme/other").isEmpty)
        #expect(try await store.deployments(plan: "p1") == [deployment])
        #expect(try await store.deployments(plan: "p2").isEmpty)
    }

    @Test(arguments: Backend.allCases) func aStackLockTakenThroughOneProcessHoldsAgainstAnother(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let other = try fixture.openAnother()
        defer { other.shutdown() }
        // Two processes race for each of 20 stacks, for different pull requests: each stack goes to exactly one.
        let stores = [fixture.store, other]
        let winners = try await withThrowingTaskGroup(of: (String, Int).self) { group in
            for stack in 0..<20 {
                for (index, store) in stores.enumerated() {
                    let key = StackKey(account: "123456789012", region: "us-east-1", name: "stack-\(stack)")
                    let lock = StackLock(key: key, repository: "acme/infra", pullRequest: 100 + index, issue: 7, at: fixture.clock.now())
                    group.addTask { (key.description, try await store.acquireLock(lock).pullRequest) }
                }
            }
            return try await group.reduce(into: [String: Set<Int>]()) { $0[$1.0, default: []].insert($1.1) }
        }
        #expect(winners.count == 20 && winners.values.allSatisfy { $0.count == 1 }, "each racer was told the same holder: \(winners)")
        let held =
            try await other.locks(repository: "acme/infra", pullRequest: 100).count
            + (try await fixture.store.locks(repository: "acme/infra", pullRequest: 101).count)
        #expect(held == 20)
    }
}
