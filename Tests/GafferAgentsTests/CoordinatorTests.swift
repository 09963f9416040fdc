import Foundation
import GafferAgents
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

@Suite struct CoordinatorTests {
    /// The plan rules as a table: the steps, their agents and what each waits for.
    @Test(arguments: [
        (
            TaskKind.create, ResourceKind?.some(.s3Bucket),
            "infrastructure:writeStack<- monitoring:writeAlarms<infrastructure security:reviewSecurity<monitoring cost:estimateCost<monitoring deployment:writePipeline<security,cost"
        ),
        (
            .update, .some(.lambdaFunction),
            "infrastructure:writeStack<- monitoring:writeAlarms<infrastructure security:reviewSecurity<monitoring cost:estimateCost<monitoring deployment:writePipeline<security,cost"
        ),
        (
            .delete, .some(.rdsInstance),
            "infrastructure:describeDeletion<- security:reviewSecurity<infrastructure cost:estimateCost<infrastructure deployment:writePipeline<security,cost"
        ),
        (
            .create, .some(.application(.serverlessAPI)),
            "infrastructure:buildApplication<- monitoring:writeAlarms<infrastructure security:reviewSecurity<monitoring cost:estimateCost<monitoring deployment:writePipeline<security,cost"
        ),
        (.discover, nil, "infrastructure:writeReport<-"),
        (.healthCheck, nil, "monitoring:writeReport<-"),
        (.securityAudit, nil, "security:writeReport<-"),
        (.optimizeCosts, nil, "cost:writeReport<-"),
    ])
    func theCoordinatorPlansEachTaskKindByItsRule(kind: TaskKind, resource: ResourceKind?, expected: String) {
        let steps = PlanRules.steps(for: AwsTask(kind: kind, resource: resource))
        let shape = steps.map { "\($0.agent.rawValue):\($0.intent.rawValue)<\($0.dependsOn.isEmpty ? "-" : $0.dependsOn.joined(separator: ","))" }
        #expect(shape.joined(separator: " ") == expected)
    }

    @Test func theStandardAgentsCoverEveryStepTheRulesMake() throws {
        _ = try AgentRegistry(StandardAgents.all)
        let withoutCost = StandardAgents.all.filter { $0.role != .cost }
        #expect(throws: AgentError.self) { try AgentRegistry(withoutCost) }
    }

    @Test func aCreatePlanIsReadyWithEveryStepSucceededOrSkipped() async throws {
        let plan = try await TestCoordinator.plan(try ExampleTasks.task(.lambdaFunction, .examples))
        #expect(plan.state == .ready)
        #expect(plan.steps.map(\.state) == [.succeeded, .succeeded, .succeeded, .succeeded, .succeeded])
        #expect(plan.stacks.map(\.name) == ["gaffer-lambda-function-resize-images", "gaffer-lambda-function-resize-images-monitoring"])
        #expect(
            plan.files.changes.map(\.path) == [
                "infra/gaffer-lambda-function-resize-images/template.yaml", "infra/gaffer-lambda-function-resize-images/monitoring.yaml",
                "infra/gaffer-lambda-function-resize-images/buildspec.yml", "infra/gaffer-lambda-function-resize-images/README.md",
            ]
        )
        #expect(!plan.requiresApproval, "\(plan.approvalReasons)")
        #expect(plan.findings.allSatisfy { $0.severity < .high }, "\(plan.findings)")
    }

    @Test func aDeleteAlwaysNeedsApprovalAndSaysWhatItKeeps() async throws {
        let plan = try await TestCoordinator.plan(try ExampleTasks.task(.rdsInstance, .examples, kind: .delete))
        #expect(plan.state == .ready)
        #expect(plan.requiresApproval)
        #expect(plan.approvalReasons.first?.contains("delete always needs /approve") == true)
        #expect(plan.notes.contains { $0.contains("Database (AWS::RDS::DBInstance) holds data: a final snapshot is taken") }, "\(plan.notes)")
        #expect(plan.estimate?.isSaving == true)
        #expect((plan.estimate?.monthlyUSD ?? 0) > 0)
        #expect(plan.files.changes.contains(.delete(path: "infra/gaffer-rds-instance-orders-db/template.yaml")))
    }

    @Test func aFullstackApplicationOnADomainOutsideUSEast1RecordsACapabilityGapAndFailsClearly() async throws {
        let task = AwsTask(
            kind: .create,
            resource: .application(.fullstack),
            region: "eu-west-1",
            parameters: ["applicationName": .string("orders"), "domainName": .string("orders.example.com")]
        )
        let plan = try await TestCoordinator.plan(task)
        #expect(plan.state == .failed)
        #expect(plan.gaps.map(\.agent) == [.infrastructure])
        #expect(plan.gaps.first?.lacking.contains("CloudFront takes certificates from us-east-1 only") == true)
        #expect(plan.messages.contains { $0.intent == .reportGap })
        #expect(plan.steps.dropFirst().allSatisfy { $0.state == .blocked })
    }

    @Test func anIssueAskingForSomethingInsecureGetsItWithApproval() async throws {
        let task = try ExampleTasks.task(.s3Bucket, .examples, replacing: ["blockPublicAccess": "false"])
        let plan = try await TestCoordinator.plan(task)
        #expect(plan.state == .ready)
        #expect(plan.handoffs == 0, "the issue's own choice is not sent back")
        let finding = try #require(plan.findings.first { $0.rule == "GAFFER-S3-PUBLIC" })
        #expect(finding.requested)
        #expect(plan.files.text(at: plan.stacks[0].template)?.contains("PublicAccessBlockConfiguration") == false)
        #expect(plan.approvalReasons.contains { $0.contains("GAFFER-S3-PUBLIC") && $0.contains("asked for in the issue") })
    }

    @Test func securityAsksInfrastructureForAChangeAndTheReviewersRunAgain() async throws {
        let templates = try OverriddenTemplates.make(s3: OverriddenTemplates.bucketPublicUnlessAsked)
        defer { templates.folder.remove() }
        let plan = try await TestCoordinator.make(templates: templates.library).plan(try ExampleTasks.task(.s3Bucket, .examples))
        #expect(plan.state == .ready)
        #expect(plan.handoffs == 1)
        #expect(
            plan.messages.contains { $0.intent == .requestChange && $0.recipient == .infrastructure && $0.changes == ["blockPublicAccess": "true"] }
        )
        #expect(plan.step("infrastructure")?.attempts == 2)
        #expect(plan.step("security")?.attempts == 2)
        #expect(plan.findings.isEmpty, "\(plan.findings)")
        #expect(plan.files.text(at: plan.stacks[0].template)?.contains("BlockPublicAcls: true") == true)
    }

    @Test func theHandoffLimitStopsAPlanWhoseAgentsKeepAsking() async throws {
        let templates = try OverriddenTemplates.make(s3: OverriddenTemplates.bucketAlwaysPublic)
        defer { templates.folder.remove() }
        let plan = try await TestCoordinator.make(templates: templates.library, limits: PlanLimits(maxHandoffs: 3)).plan(
            try ExampleTasks.task(.s3Bucket, .examples)
        )
        #expect(plan.state == .stopped)
        #expect(plan.stoppedBy == .handoffs(3))
        #expect(plan.handoffs == 4)
        #expect(plan.failureReasons == [PlanLimit.handoffs(3).explanation])
        #expect(plan.steps.contains { $0.state == .cancelled })
    }

    @Test func theStepLimitStopsAPlanBeforeAnythingRuns() async throws {
        let plan = try await TestCoordinator.make(limits: PlanLimits(maxSteps: 3)).plan(try ExampleTasks.task(.s3Bucket, .examples))
        #expect(plan.state == .stopped)
        #expect(plan.stoppedBy == .steps(3))
        #expect(plan.steps.allSatisfy { $0.state == .cancelled && $0.attempts == 0 })
    }

    @Test func theBudgetStopsAPlanWhoseAgentsSpendTooMuch() async throws {
        let agents = StandardAgents.all.map { $0.role == .monitoring ? SpendingAgent(wrapped: $0, spend: 3) : $0 }
        let plan = try await TestCoordinator.make(agents: agents, limits: PlanLimits(budgetUSD: 2)).plan(
            try ExampleTasks.task(.lambdaFunction, .examples)
        )
        #expect(plan.state == .stopped)
        #expect(plan.stoppedBy == .budget(usd: 2))
        #expect(plan.step("deployment")?.state == .cancelled)
        #expect(plan.failureReasons.first?.contains("budget of $2.00") == true)
    }

    @Test func aStepThatRunsTooLongStopsThePlan() async throws {
        let agents = StandardAgents.all.map { $0.role == .cost ? SlowAgent(wrapped: $0, gate: nil) : $0 }
        let plan = try await TestCoordinator.make(agents: agents, limits: PlanLimits(stepTimeoutSeconds: 0.2)).plan(
            try ExampleTasks.task(.s3Bucket, .examples)
        )
        #expect(plan.state == .stopped)
        #expect(plan.stoppedBy == .stepTimeout(step: "cost", seconds: 0.2))
        #expect(plan.step("cost")?.state == .failed)
    }

    @Test func aPlanResumedAfterItsWorkerIsKilledMidStepFinishesWithEachOutputOnce() async throws {
        let folder = try TemporaryDirectory("gaffer-plan-store")
        defer { folder.remove() }
        let store = try SQLiteStore(dataDirectory: folder.url)
        try store.migrate()
        let gate = Gate()
        let stuck = StandardAgents.all.map { $0.role == .security ? SlowAgent(wrapped: $0, gate: gate) : $0 }
        let first = try TestCoordinator.make(agents: stuck, store: store)
        let planned = try await first.makePlan(for: try ExampleTasks.task(.dynamoDBTable, .examples))
        let worker = Task { try await first.run(planned) }
        await gate.waitUntilEntered()
        worker.cancel()
        _ = await worker.result
        let saved = try #require(try await store.plan(id: planned.id))
        #expect(saved.step("security")?.state == .running, "the dead worker left its step running")
        #expect(saved.step("infrastructure")?.state == .succeeded)

        let resumed = try await TestCoordinator.make(store: store).resume(planID: planned.id)
        #expect(resumed.state == .ready)
        #expect(resumed.step("security")?.attempts == 2)
        #expect(resumed.step("infrastructure")?.attempts == 1, "a finished step is not run again")
        let paths = resumed.files.changes.map(\.path)
        #expect(Set(paths).count == paths.count, "each file once: \(paths)")
        #expect(paths.count == 4)
        let reread = try #require(try await store.plan(id: planned.id))
        #expect(reread == resumed, "the store gives back the plan exactly")
        try store.close()
    }
}

/// Spends money (as a model-backed agent would) and otherwise does what the wrapped agent does.
struct SpendingAgent: Agent {
    let wrapped: any Agent
    let spend: Double
    var role: AgentRole { wrapped.role }
    var intents: Set<StepIntent> { wrapped.intents }

    func perform(_ step: Step, context: AgentContext) async throws -> StepOutput {
        var output = try await wrapped.perform(step, context: context)
        output.costUSD = spend
        return output
    }
}

/// Says it has started, then waits (cancellably) for longer than any test's limit.
struct SlowAgent: Agent {
    let wrapped: any Agent
    let gate: Gate?
    var role: AgentRole { wrapped.role }
    var intents: Set<StepIntent> { wrapped.intents }

    func perform(_ step: Step, context: AgentContext) async throws -> StepOutput {
        await gate?.enter()
        try await Task.sleep(for: .seconds(30))
        return try await wrapped.perform(step, context: context)
    }
}

/// Lets a test wait until an agent has started.
actor Gate {
    private var entered = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func enter() {
        entered = true
        waiters.forEach { $0.resume() }
        waiters = []
    }

    func waitUntilEntered() async {
        if entered { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}

/// A copy of the shipped templates with the S3 template replaced, as an operator's override would.
struct OverriddenTemplates {
    let folder: TemporaryDirectory
    let library: TemplateLibrary

    /// Ignores every request to block public access.
    static let bucketAlwaysPublic = """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            DeletionPolicy: Retain
            UpdateReplacePolicy: Retain
            Properties:
              BucketName: {{{param.bucketName}}}
              BucketEncryption:
                ServerSideEncryptionConfiguration:
                  - ServerSideEncryptionByDefault:
                      SSEAlgorithm: AES256

        """

    /// Public unless the task (or another agent) sets blockPublicAccess.
    static let bucketPublicUnlessAsked =
        bucketAlwaysPublic + """
            {{#on.blockPublicAccess}}
                  PublicAccessBlockConfiguration:
                    BlockPublicAcls: true
                    BlockPublicPolicy: true
                    IgnorePublicAcls: true
                    RestrictPublicBuckets: true
            {{/on.blockPublicAccess}}

            """

    static func make(s3: String) throws -> OverriddenTemplates {
        let folder = try TemporaryDirectory("gaffer-templates")
        let shipped = try TemplateLibrary.shippedDirectory()
        for sub in ["cloudformation", "monitoring", "pipeline", "agents", "cost", "apps"] {
            try FileManager.default.copyItem(at: shipped.appendingPathComponent(sub), to: folder.url.appendingPathComponent(sub))
        }
        try s3.write(to: folder.url.appendingPathComponent("cloudformation/s3Bucket.yaml"), atomically: true, encoding: .utf8)
        return OverriddenTemplates(folder: folder, library: try TemplateLibrary(directory: folder.url))
    }
}
