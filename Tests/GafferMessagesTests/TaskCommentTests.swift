import Foundation
import GafferAgents
import GafferCore
import GafferMessages
import GafferTestSupport
import Testing

/// The task's status comments and pull-request body, from real plans, against golden files.
struct TaskCommentTests {
    func plan(_ title: String, body: String, limits: PlanLimits = PlanLimits()) async throws -> Plan {
        let parsed = IssueParser().parse(IssueInput(title: title, body: body, labels: ["gaffer"], author: "alice", number: 7))
        let task = try #require(parsed.task, "\(parsed.problems)")
        let templates = try TemplateLibrary.shipped()
        let coordinator = Coordinator(
            agents: try AgentRegistry(StandardAgents.all),
            templates: templates,
            settings: AgentSettings(costApprovalThresholdUSD: 100, prices: try PriceTable.shipped(templates)),
            limits: limits,
            store: InMemoryPlanStore()
        )
        return try await coordinator.plan(task, repository: "acme/infra")
    }

    @Test func aPlannedTaskGetsItsStatusAndPullRequestBody() async throws {
        let comments = try CommentTests().comments()
        let planned = try await plan(
            "Create a DynamoDB table named orders in us-east-1",
            body: "partitionKey: id\nbillingMode: PROVISIONED\nreadCapacityUnits: 5\nwriteCapacityUnits: 5"
        )
        #expect(planned.state == .ready)
        let body = try comments.pullRequestBody(planned, issue: 7)
        try CommentTests().expectGolden("pull-request-body", body)
        #expect(body.contains("Closes #7"))
        for change in planned.files.changes { #expect(body.contains("`\(change.path)`")) }
        try CommentTests().expectGolden(
            "task-planned",
            try comments.taskPlanned(planned, pullRequest: 8, branch: "gaffer/7-orders", commit: String(repeating: "ab", count: 20))
        )
        #expect(comments.pullRequestTitle(planned.task, issue: 7) == "Create DynamoDB table orders (#7)")
    }

    @Test func anUnfinishedStepSaysWhatItStoppedAtWhatIsLeftAndWhereItsWorkIs() async throws {
        var plan = try await plan("Deploy a serverless-api application named shop in us-east-1", body: "")
        var step = Step(id: "application-code", agent: .deployment, intent: .writeApplicationCode)
        step.state = .failed
        step.error = "stopped at the task model budget (model_budget_task_usd) with 1 file written; left: 1 of 3 tests fail"
        step.output = StepOutput(
            notes: ["A model (anthropic/claude-sonnet-4-5) wrote the code asked for beyond the blueprint: `api/by_owner.py`."],
            details: "- tests.test_by_owner.test_sorted: AssertionError: assert ['b', 'a'] == ['a', 'b']\n```injected```"
        )
        plan.steps.append(step)
        let text = try CommentTests().comments().taskUnfinished(plan, branch: "gaffer/7-application", commit: String(repeating: "cd", count: 20))
        try CommentTests().expectGolden("task-unfinished", text)
        #expect(text.contains("````\n- tests.test_by_owner"), "the fence is longer than any backticks in the output")
        #expect(text.contains("model_budget_task_usd") && text.contains("`/retry`"))
    }

    @Test func aFollowUpsReplySaysWhatChangedWhereItIsKeptAndTheCommit() throws {
        let comments = try CommentTests().comments()
        let text = try comments.followUpApplied(
            actor: "alice",
            rows: [.init(key: "versioning", before: "false", after: "true"), .init(key: "lifecycleDays", before: nil, after: "90")],
            issue: 12,
            branch: "gaffer/12-s3-bucket",
            commit: "0123456789abcdef0123",
            model: "anthropic/claude-sonnet-4-5"
        )
        try CommentTests().expectGolden("follow-up", text)
        let unchanged = try comments.followUpApplied(
            actor: "alice",
            rows: [.init(key: "versioning", before: "false", after: "true")],
            issue: 12,
            branch: "gaffer/12-s3-bucket",
            commit: nil,
            model: nil
        )
        #expect(unchanged.contains("the branch did not change") && !unchanged.contains("A model"))
        let refused = try comments.followUpRefused(actor: "carol", reasons: ["only someone who may plan can change the task"])
        #expect(refused.contains("### Nothing changed") && refused.contains("- only someone who may plan"))
        let question = try comments.followUpQuestion(question: "Which bucket? See [here](http://x.example) @bob", model: "m/x", mention: "@gaffer")
        #expect(question.contains("Which bucket?") && !question.contains("http://x.example") && !question.contains("@bob"))
    }

    @Test func aModelsExplanationIsMarkedAsAnUncheckedSuggestionAndCannotLinkOrMention() throws {
        let text = try CommentTests().comments().failureExplained(
            what: "The pull request's pipeline at commit 1a2b3c4d5e6f",
            model: "anthropic/claude-haiku-4-5",
            cause: "cfn-lint: NotAProperty is not allowed (line 9); see https://x.example, @bob",
            suggestion: "Remove **NotAProperty**\n# or [this](http://y)"
        )
        try CommentTests().expectGolden("failure-explained", text)
        try CommentTests().expectGolden(
            "failure-explanation-outdated",
            try CommentTests().comments().failureExplanationOutdated(what: "The pull request's pipeline at commit 9f8e7d6c5b4a")
        )
        #expect(!text.contains("https://x") && !text.contains("@bob") && !text.contains("**NotAProperty**") && !text.contains("\n# or"))
    }

    @Test func aPlanThatStoppedSaysWhyAndAWaitingTaskSaysForWhat() async throws {
        let comments = try CommentTests().comments()
        let stopped = try await plan("Create an S3 bucket named logs-archive in eu-west-1", body: "", limits: PlanLimits(maxSteps: 2))
        #expect(stopped.state != .ready)
        let failed = try comments.planFailed(stopped)
        try CommentTests().expectGolden("task-plan-failed", failed)
        #expect(failed.contains("agent_max_steps"), "the limit reached names its key")
        #expect(failed.contains("no pull request was opened"))
        #expect(
            try comments.planFailed(stopped, pullRequest: 8).contains("#8 was not changed: it still holds the code of the last plan that was made")
        )
        try CommentTests().expectGolden("task-waiting", try comments.taskWaiting(for: [3, 5]))
        try CommentTests().expectGolden("task-denied", try comments.taskDenied(actor: "mallory", needs: "triage", has: "none"))
        try CommentTests().expectGolden("task-merged", try comments.taskMerged(pullRequest: 8, by: "bob"))
        try CommentTests().expectGolden("task-closed", try comments.taskClosed(pullRequests: [8], branches: ["gaffer/7-s3-bucket"]))
        #expect(try comments.taskWaiting(for: [3]).contains("an issue that is still open: #3"))
    }
}
