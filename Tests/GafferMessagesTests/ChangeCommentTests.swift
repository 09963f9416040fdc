import Foundation
import GafferCore
import GafferMessages
import Testing

/// The plan, apply and command messages, against golden files.
struct ChangeCommentTests {
    static let at = Date(timeIntervalSince1970: 1_796_000_000)
    static let key = StackKey(account: "123456789012", region: "eu-west-1", name: "gaffer-s3-bucket-logs")

    /// An update that changes a tag, replaces the bucket (its name changed) and removes its policy.
    static func plan(state: ChangePlan.State = .planned) -> ChangePlan {
        ChangePlan(
            id: "acme/infra#8@c0ffee/1",
            repository: "acme/infra",
            issue: 7,
            pullRequest: 8,
            headSHA: "c0ffee00112233445566778899aabbccddeeff00",
            stacks: [
                PlannedStack(
                    key: key,
                    changeSetType: "UPDATE",
                    changeSetName: "gaffer-pr8-c0ffee001122",
                    changeSetID: "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/gaffer-pr8-c0ffee001122/1",
                    templatePath: "infra/gaffer-s3-bucket-logs/template.yaml",
                    templateHash: String(repeating: "ab", count: 32),
                    changes: [
                        ResourceChange(
                            action: "Modify",
                            logicalID: "Bucket",
                            physicalID: "logs",
                            resourceType: "AWS::S3::Bucket",
                            replacement: "True",
                            properties: [
                                PropertyChange(name: "BucketName", requiresRecreation: "Always", before: "logs", after: "logs-archive"),
                                PropertyChange(
                                    name: "Tags",
                                    requiresRecreation: "Never",
                                    before: "[{\"Key\":\"team\",\"Value\":\"web\"}]",
                                    after: nil
                                ),
                            ]
                        ),
                        ResourceChange(action: "Remove", logicalID: "BucketPolicy", resourceType: "AWS::S3::BucketPolicy"),
                        ResourceChange(action: "Add", logicalID: "Topic", resourceType: "AWS::SNS::Topic"),
                    ]
                )
            ],
            requestedBy: "bob",
            requester: "alice",
            createdAt: at,
            state: state
        )
    }

    @Test func eachPlanApplyAndCommandMessageAgainstItsGoldenFile() throws {
        let comments = try CommentTests().comments()
        let golden = CommentTests()
        let plan = Self.plan()
        let estimate = CostEstimate(
            lines: [CostEstimate.Line(resource: "Bucket", type: "AWS::S3::Bucket", monthlyUSD: 1.15, basis: "50 GB")],
            region: "eu-west-1",
            source: "shipped prices"
        )
        let finding = Finding(
            severity: .medium,
            rule: "GAFFER-S3-LOGGING",
            file: "infra/gaffer-s3-bucket-logs/template.yaml",
            line: 4,
            message: "the bucket has no access logging",
            fix: "add LoggingConfiguration"
        )
        try golden.expectGolden("change-plan", try comments.changePlan(plan, estimate: estimate, findings: [finding]))
        try golden.expectGolden(
            "change-plan-refused",
            try comments.planRefused(actor: "bob", locks: [StackLock(key: Self.key, repository: "acme/infra", pullRequest: 5, issue: 4, at: Self.at)])
        )
        try golden.expectGolden(
            "change-plan-refused-protected",
            try comments.planRefused(actor: "bob", protected: (rule: "prod-*", what: "the stack prod-logs"))
        )
        try golden.expectGolden("apply-refused", try comments.applyRefused(actor: "alice", refusals: ["nobody approved it", "the pipeline failed"]))
        try golden.expectGolden(
            "change-apply",
            try comments.changeApply(
                plan,
                by: "alice",
                approvers: ["bob"],
                state: "failed",
                stacks: [GafferComments.StackProgress(name: Self.key.name, status: "UPDATE_ROLLBACK_COMPLETE", detail: "failed")],
                failure: GafferComments.ApplyFailure(resource: "Topic", reason: "Resource limit exceeded", stackStatus: "UPDATE_ROLLBACK_COMPLETE"),
                running: false
            )
        )
        let resource = RegisteredResource(
            arn: "arn:aws:s3:::logs-archive",
            resourceType: "AWS::S3::Bucket",
            logicalID: "Bucket",
            stack: Self.key,
            ownerAgent: .infrastructure,
            costPerDayUSD: 0.04,
            repository: "acme/infra",
            issue: 7,
            updatedAt: Self.at
        )
        try golden.expectGolden(
            "task-applied",
            try comments.taskApplied(plan, what: "Update S3 bucket logs (#7)", by: "alice", approvers: ["bob"], resources: [resource], merged: true)
        )
        try golden.expectGolden("decision-recorded", try comments.decisionRecorded(.deny, actor: "bob", plan: plan, reason: "too costly"))
        try golden.expectGolden(
            "decision-recorded-dashboard",
            try comments.decisionRecorded(.approve, actor: "bob", plan: plan, reason: "looks right", dashboard: true)
        )
        let decision = Decision(repository: "acme/infra", pullRequest: 8, planID: plan.id, verdict: .approve, by: "bob", reason: "fine", at: Self.at)
        try golden.expectGolden(
            "command-status",
            try comments.commandStatus(
                pullRequest: 8,
                plan: plan,
                currentHead: "deadbeef00112233445566778899aabbccddeeff",
                locks: [StackLock(key: Self.key, repository: "acme/infra", pullRequest: 8, issue: 7, at: Self.at)],
                decisions: [decision],
                missing: ["the plan was made at an older commit"]
            )
        )
        try golden.expectGolden("command-note", try comments.note(.unlocked([Self.key]), actor: "carol"))
        try golden.expectGolden(
            "command-note-paused",
            try comments.note(
                .paused(command: .apply, by: "erin", at: Date(timeIntervalSince1970: 1_800_000_000), reason: "incident 42"),
                actor: "alice"
            )
        )
    }

    @Test func aPlanSaysWhatADestroyerNeedsToKnow() throws {
        let comments = try CommentTests().comments()
        let text = try comments.changePlan(Self.plan(), estimate: nil, findings: [])
        // Counts first, then removals, then replacements naming the property that forces them, then the rest.
        let order = ["**1 to add, 1 to change, 1 to remove, 1 replaced.**", "#### Removed", "#### Replaced", "#### Added and changed"]
        let positions = order.compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == order.count && positions == positions.sorted(), "\(text)")
        #expect(text.contains("| `gaffer-s3-bucket-logs` | `Bucket` | AWS::S3::Bucket | always | `BucketName` |"))
        #expect(text.contains("| `Bucket` | `BucketName` | `logs` | `logs-archive` |"))
        #expect(text.contains("it replaces Bucket (AWS::S3::Bucket) in gaffer-s3-bucket-logs"))
        #expect(text.contains("it removes BucketPolicy (AWS::S3::BucketPolicy) from gaffer-s3-bucket-logs"))

        var unchanged = Self.plan()
        unchanged.stacks[0].changes = []
        unchanged.stacks[0].changeSetID = ""
        let nothing = try comments.changePlan(unchanged, estimate: nil, findings: [])
        #expect(nothing.contains("no changes") && nothing.contains("AWS would change nothing"))
        #expect(!nothing.contains("To apply"))

        for note: GafferComments.Note in [
            .alreadyApplied(head: "c0ffee001122"), .nothingLocked, .cancelled("the plan is discarded"), .noPullRequest(verb: "apply"),
            .failed(command: .apply, error: "CloudFormation DescribeStacks failed: Throttling"), .planOn(pullRequest: 8),
        ] {
            let text = try comments.note(note, actor: "bob")
            #expect(text.hasPrefix("@bob"), "\(text)")
        }
    }
}
