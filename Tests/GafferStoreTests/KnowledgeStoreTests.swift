import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

/// The knowledge base in SQLite: learnings kept once and fixed by the task's next apply, and every
/// kind of entry listed and searched together.
@Suite(.postgres) struct KnowledgeStoreTests {
    static func learning(_ plan: String, issue: Int = 7, type: String = "AWS::S3::Bucket", at: Date) -> Learning {
        let reason = "logs-archive already exists (Service: S3, Status Code: 409, Error Code: BucketAlreadyExists)"
        return Learning(
            planID: plan,
            stack: "gaffer-s3-bucket-logs-archive",
            repository: "Acme/Infra",
            issue: issue,
            pullRequest: 8,
            resourceType: type,
            errorCode: Learning.errorCode(in: reason),
            reason: reason,
            failedAt: at
        )
    }

    @Test(arguments: Backend.allCases) func aFailureIsLearnedOnceAndFixedByTheTasksNextApply(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let failed = Self.learning("p1", at: fixture.clock.now())
        #expect(failed.errorCode == "BucketAlreadyExists")
        try await store.recordLearning(failed)
        try await store.recordLearning(failed)  // the same apply looked at again
        try await store.recordLearning(Self.learning("p2", issue: 9, type: "AWS::DynamoDB::Table", at: fixture.clock.now()))
        #expect(try await store.learnings(resourceTypes: ["AWS::S3::Bucket"]).count == 1)
        #expect(try await store.learnings(resourceTypes: ["AWS::S3::Bucket"]).first?.fix == nil)

        fixture.clock.advance(by: 60)
        #expect(
            try await store.resolveLearnings(repository: "acme/infra", issue: 7, fix: "the plan of commit abc1234 in #8", at: fixture.clock.now())
                == 1
        )
        #expect(try await store.resolveLearnings(repository: "acme/infra", issue: 7, fix: "again", at: fixture.clock.now()) == 0, "fixed once")
        let fixed = try #require(try await store.learnings(resourceTypes: ["AWS::S3::Bucket", "AWS::Lambda::Function"]).first)
        #expect(fixed.fix == "the plan of commit abc1234 in #8")
        #expect(fixed.lesson.hasSuffix("with BucketAlreadyExists: \(fixed.reason); fixed by the plan of commit abc1234 in #8"))
        #expect(try await store.learnings(resourceTypes: ["AWS::DynamoDB::Table"]).first?.fix == nil, "another task's learning stays open")
    }

    @Test(arguments: Backend.allCases) func decisionsDeploymentsGapsAndLearningsAreListedAndSearchedTogether(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let start = fixture.clock.now()
        try await store.recordDecision(
            Decision(repository: "acme/infra", pullRequest: 8, planID: "plan-1", verdict: .deny, by: "bob", reason: "too big", at: start)
        )
        try await store.recordDeployment(
            Deployment(
                planID: "plan-1",
                stack: ChangeStoreTests.key,
                repository: "acme/infra",
                issue: 7,
                pullRequest: 8,
                status: "CREATE_COMPLETE",
                succeeded: true,
                by: "alice",
                startedAt: start.addingTimeInterval(60),
                endedAt: start.addingTimeInterval(72)
            )
        )
        var plan = Plan(
            id: "coordinator-1",
            task: AwsTask(kind: .discover, resource: nil, issue: 3),
            repository: "acme/infra",
            steps: [],
            limits: PlanLimits(),
            at: start.addingTimeInterval(120)
        )
        plan.gaps = [CapabilityGap(agent: .cost, asked: "price a fleet", lacking: "no prices for it")]
        plan.messages = [
            AgentMessage(
                sender: .security,
                recipient: .infrastructure,
                intent: .requestChange,
                content: "turn on versioning",
                at: start.addingTimeInterval(90)
            )
        ]
        try await store.savePlan(plan)
        try await store.recordLearning(Self.learning("plan-2", at: start.addingTimeInterval(180)))

        let all = try await store.knowledge(kind: nil, matching: nil, limit: 10)
        #expect(all.map(\.kind) == [.learning, .gap, .message, .deployment, .decision], "newest first")
        #expect(all.first { $0.kind == .message }?.summary == "security to infrastructure (requestChange): turn on versioning")
        #expect(all.first { $0.kind == .decision }?.summary == "bob denied plan plan-1: too big")
        #expect(
            all.first { $0.kind == .deployment }?.summary
                == "gaffer-s3-bucket-logs in 123456789012/us-east-1: CREATE_COMPLETE (succeeded, 12 s, by alice)"
        )
        #expect(all.first { $0.kind == .gap }?.reference == "#3")
        #expect(try await store.knowledge(kind: .deployment, matching: nil, limit: 10).count == 1)
        #expect(try await store.knowledge(kind: nil, matching: "bucketalreadyexists", limit: 10).map(\.kind) == [.learning])
        #expect(try await store.knowledge(kind: nil, matching: "ALICE", limit: 10).map(\.kind) == [.deployment])
        #expect(try await store.knowledge(kind: nil, matching: nil, limit: 2).count == 2)
        #expect(try await store.knowledge(kind: .decision, matching: "nobody", limit: 10).isEmpty)
    }
}
