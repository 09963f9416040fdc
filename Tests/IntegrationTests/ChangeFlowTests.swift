import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferGitHub
import GafferSandbox
import GafferTestSupport
import Logging
import Testing

/// Plan, approve and apply, end to end: the GitHub sandbox, Gaffer with its workers and libgit2,
/// the pipeline with cfn-lint, and moto as AWS. Each test asserts what people see (comments,
/// pull request and issue state) and what AWS holds.
@Suite(.serialized)
struct ChangeFlowTests {
    /// A sandbox with alice (write, the requester), bob (write), carol (read) and mallory (none);
    /// moto; and Gaffer pointed at both with autoplan on.
    struct Story {
        let sandbox: SandboxFixture
        let moto: MotoServer
        let gaffer: GitHubFlowTests.RunningGaffer
        let alice: GitHubClient
        let bob: GitHubClient
        let carol: GitHubClient
        let mallory: GitHubClient
        let erin: GitHubClient
        let app: GitHubClient
        let repository = RepositoryRef(owner: "acme", name: "web")
        let installed = RepositoryRef(owner: "acme", name: "web", installation: 42)

        static func start(authenticated: Bool = true, configure: @escaping (inout GafferConfiguration) -> Void = { _ in }) async throws -> Story {
            let sandbox = try await SandboxFixture()
            let moto = try await MotoServer.start(authenticated: authenticated)
            for (login, permission) in [("bob", "write"), ("carol", "read"), ("mallory", "none"), ("erin", "maintain")] {
                _ = await sandbox.state.addUser(login, token: "ghp_\(login)_0123456789")
                if permission != "none" { await sandbox.state.setPermission(permission, for: login, in: "acme/web") }
            }
            let gaffer = try await GitHubFlowTests.RunningGaffer(sandbox) { configuration in
                configuration.aws.endpointURL = moto.endpoint
                configuration.aws.credentials = moto.credentials
                configuration.aws.region = "us-east-1"
                configuration.defaultRegion = "us-east-1"
                configuration.changes.autoplan = true
                configuration.changes.pollInterval = .milliseconds(50)
                configure(&configuration)
            }
            func person(_ login: String) async throws -> GitHubClient {
                try await sandbox.client(.token(Secret(login == "alice" ? SandboxFixture.aliceToken : "ghp_\(login)_0123456789")))
            }
            return Story(
                sandbox: sandbox,
                moto: moto,
                gaffer: gaffer,
                alice: try await person("alice"),
                bob: try await person("bob"),
                carol: try await person("carol"),
                mallory: try await person("mallory"),
                erin: try await person("erin"),
                app: try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
            )
        }

        func stop() {
            gaffer.stop()
            moto.stop()
            sandbox.stop()
        }

        func aws() throws -> AWSClient { try moto.client() }

        /// Gaffer's comment `key` on an issue or pull request (`plan`, `apply`, `status`, `reply-<id>`).
        func comment(_ key: String, on number: Int) async throws -> String? {
            try await sandbox.gafferComments(key, on: number, as: alice).first?.body
        }

        /// Writes a comment as `person` and returns Gaffer's reply to it, once Gaffer is done with it
        /// (🚀 or 😕 on the comment) and with what followed.
        func say(_ text: String, on number: Int, as person: GitHubClient) async throws -> String? {
            let made = try await person.createComment(onIssue: number, in: repository, body: text)
            try await waitUntil(timeout: .seconds(120), "Gaffer's answer to \(text)") {
                await sandbox.state.commentReactions("acme/web", id: made.id).contains { ["rocket", "confused"].contains($0.content) }
            }
            try await gaffer.settle()
            return try await comment("reply-\(made.id)", on: number)
        }

        /// Opens an issue as alice and waits for its pull request, its green pipeline and the autoplan's plan comment.
        /// Opens an issue as alice and waits for its pull request, its green pipeline and (with autoplan) the plan comment.
        func openTask(
            _ title: String,
            body: String = "",
            resource: String = "s3-bucket",
            autoplan: Bool = true
        ) async throws -> (
            issue: Int, pull: PullRequestDetails, plan: String
        ) {
            let issue = try await sandbox.openIssue(title, body: body, as: alice)
            let (pull, plan) = try await pullRequest(of: issue.number, resource: resource, autoplan: autoplan)
            return (issue.number, pull, plan)
        }

        /// The pull request Gaffer opens for the task of `issue`, once its pipeline passed and (with autoplan) it is planned.
        func pullRequest(of issue: Int, resource: String, autoplan: Bool = true) async throws -> (PullRequestDetails, plan: String) {
            let branch = "gaffer/\(issue)-\(resource)"
            try await waitUntil(timeout: .seconds(120), "the pull request of \(branch)") {
                try await !alice.pullRequests(head: branch, in: repository).isEmpty
            }
            let pull = try #require(try await alice.pullRequests(head: branch, in: repository).first)
            try await waitForGreenPipeline(pull.head.sha)
            if autoplan {
                try await waitUntil(timeout: .seconds(120), "the plan comment on #\(pull.number)") {
                    try await comment("plan", on: pull.number) != nil
                }
            }
            try await gaffer.settle()
            return (pull, try await comment("plan", on: pull.number) ?? "")
        }

        func waitForGreenPipeline(_ sha: String) async throws {
            try await waitUntil(timeout: .seconds(120), "the pipeline of \(sha.prefix(12))") {
                try await app.checkRuns(named: "gaffer/pipeline", for: sha, in: installed).first?.status == "completed"
            }
            let check = try await app.checkRuns(named: "gaffer/pipeline", for: sha, in: installed).first
            #expect(check?.conclusion == "success", "\(String(describing: check?.output))")
        }

        func stackStatus(_ name: String) async throws -> String? {
            do {
                return try await CloudFormation(try aws(), region: "us-east-1").describeStacks(name: name).first?.status
            } catch let error as AWSServiceError where error.message.contains("does not exist") {
                return nil
            }
        }
    }

    @Test func aBucketIsPlannedRefusedApprovedAppliedMergedAndClosedThenDeleted() async throws {
        let story = try await Story.start()
        defer { story.stop() }
        let stack = "gaffer-s3-bucket-story-logs"
        let task = try await story.openTask("Create an S3 bucket named story-logs in us-east-1")
        let pull = task.pull.number

        // The autoplan's comment: counts first, the bucket added, the record of the plan.
        #expect(task.plan.contains("**2 to add, 0 to change, 0 to remove, 0 replaced.**"), "\(task.plan)")
        #expect(task.plan.contains("| `\(stack)` | Add | `Bucket` | AWS::S3::Bucket |"), "\(task.plan)")
        #expect(task.plan.contains(task.pull.head.sha) && task.plan.contains("123456789012") && task.plan.contains("us-east-1"))
        #expect(try await story.stackStatus(stack) == "REVIEW_IN_PROGRESS", "a change set, nothing executed")

        // alice cannot apply alone, carol may not approve, nor may alice approve her own task.
        let refused = try #require(try await story.say("/apply", on: pull, as: story.alice))
        #expect(refused.contains("`/apply` was not run") && refused.contains("nobody but @alice (who asked for it) has approved it"), "\(refused)")
        #expect(try await story.stackStatus(stack) == "REVIEW_IN_PROGRESS")
        let carol = try #require(try await story.say("/approve", on: pull, as: story.carol))
        #expect(carol.contains("needs write permission") && carol.contains("carol has read"), "\(carol)")
        let own = try #require(try await story.say("/approve", on: pull, as: story.alice))
        #expect(own.contains("asked for this task and cannot approve it"), "\(own)")
        let mallory = try #require(try await story.say("/apply", on: pull, as: story.mallory))
        #expect(mallory.contains("mallory has none"), "\(mallory)")

        // bob approves; alice applies: the bucket exists, the pull request is merged, the issue closed.
        let approved = try #require(try await story.say("/approve looks right", on: pull, as: story.bob))
        #expect(approved.contains("@bob approved the plan of `\(task.pull.head.sha.prefix(12))`: looks right"), "\(approved)")
        _ = try await story.say("/apply", on: pull, as: story.alice)
        let applied = try #require(try await story.comment("apply", on: pull))
        #expect(applied.contains("Apply of `\(task.pull.head.sha.prefix(12))`: applied") && applied.contains("approved by @bob"), "\(applied)")
        #expect(try await story.stackStatus(stack) == "CREATE_COMPLETE")
        #expect(try await S3(try story.aws()).bucketExists("story-logs"))
        let merged = try await story.alice.pullRequest(pull, in: story.repository)
        #expect(merged.merged == true)
        let issue = try await story.alice.issue(task.issue, in: story.repository)
        #expect(issue.state == "closed")
        let summary = try #require(try await story.comment("status", on: task.issue))
        #expect(summary.contains("### Done: Create S3 bucket story-logs") && summary.contains("`arn:aws:s3:::story-logs`"), "\(summary)")
        #expect(summary.contains("#\(pull) was merged"))
        #expect(try await story.gaffer.server.store.locks(repository: "acme/web", pullRequest: pull).isEmpty, "the lock is released")
        #expect(try await story.gaffer.server.store.registeredResources().map(\.arn) == ["arn:aws:s3:::story-logs"])

        // Every delivery of the story, sent again twice, all at once: nothing on GitHub or in AWS changes.
        let delivered = await story.sandbox.webhooks.deliveries
        let writes = await story.sandbox.state.requests.filter { $0.method != "GET" }.count
        let events = try await CloudFormation(try story.aws(), region: "us-east-1").describeStackEvents(stack).count
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                for delivery in delivered { group.addTask { _ = await story.sandbox.webhooks.redeliver(id: delivery.id) } }
            }
        }
        try await story.gaffer.settle()
        #expect(delivered.count >= 20, "\(delivered.map(\.event))")
        #expect(await story.sandbox.state.requests.filter { $0.method != "GET" }.count == writes, "not one write to GitHub")
        #expect(try await CloudFormation(try story.aws(), region: "us-east-1").describeStackEvents(stack).count == events)
        #expect(try await story.gaffer.server.store.deployments(repository: "acme/web").count == 1)

        // Asked again on the issue: already applied, nothing run.
        let again = try #require(try await story.say("/apply", on: task.issue, as: story.bob))
        #expect(again.contains("was already applied"), "\(again)")
        #expect(try await story.gaffer.server.store.deployments(repository: "acme/web").count == 1)

        // Deleting it: a delete plan (destructive: a second person must approve), then the stack is gone.
        let deletion = try await story.openTask("Delete the S3 bucket named story-logs in us-east-1")
        #expect(
            deletion.plan.contains("**This plan deletes** `\(stack)`") && deletion.plan.contains("0 to add, 0 to change, 1 to remove")
                && deletion.plan.contains("| `\(stack)` | `Bucket` | AWS::S3::Bucket |"),
            "\(deletion.plan)"
        )
        let unapproved = try #require(try await story.say("/apply", on: deletion.pull.number, as: story.alice))
        #expect(unapproved.contains("it is destructive (it deletes the stack \(stack))"), "\(unapproved)")
        _ = try await story.say("/approve", on: deletion.pull.number, as: story.bob)
        _ = try await story.say("/apply", on: deletion.pull.number, as: story.alice)
        let destroyed = try #require(try await story.comment("apply", on: deletion.pull.number))
        #expect(destroyed.contains("Destroy of") && destroyed.contains(": applied"), "\(destroyed)")
        #expect(try await story.stackStatus(stack) == nil)
        #expect(try await story.gaffer.server.store.registeredResources().isEmpty)
        #expect(try await story.alice.issue(deletion.issue, in: story.repository).state == "closed")
    }

    @Test func twoPullRequestsOnOneStackAPersonsPushADenialAndTheLocks() async throws {
        let story = try await Story.start { $0.changes.autoplan = false }
        defer { story.stop() }
        let stack = "123456789012/us-east-1/gaffer-s3-bucket-shared-logs"
        let first = try await story.openTask("Create an S3 bucket named shared-logs in us-east-1", autoplan: false)
        let a = first.pull.number
        #expect(first.plan.isEmpty, "no plan without autoplan")
        #expect(try await story.say("/plan", on: a, as: story.alice) == nil, "the plan comment is the answer")
        let planA = try #require(try await story.comment("plan", on: a))
        #expect(planA.contains("2 to add") && planA.contains("asked by | @alice"), "\(planA)")

        // A second task on the same stack: its plan is refused, with a link to the holder.
        let second = try await story.openTask("Create an S3 bucket named shared-logs in us-east-1 with versioning", autoplan: false)
        let b = second.pull.number
        let refused = try #require(try await story.say("/plan", on: b, as: story.bob))
        #expect(refused.contains("the stack `\(stack)` is locked by #\(a)") && refused.contains("Apply or close #\(a) first"), "\(refused)")
        #expect(try await story.comment("plan", on: b) == nil)

        // A person's push invalidates A's plan, and /apply says so.
        let branch = "gaffer/\(first.issue)-s3-bucket"
        let head = try await story.sandbox.push(to: branch, path: "infra/gaffer-s3-bucket-shared-logs/README.md") { $0 + "\nReviewed by Alice.\n" }
        try await story.waitForGreenPipeline(head)
        _ = try await story.say("/approve", on: a, as: story.bob)
        let staleReply = try await story.say("/apply", on: a, as: story.alice)
        let applyComment = try await story.comment("apply", on: a)
        let stale = try #require(staleReply, "\(String(describing: applyComment)) head \(head) first \(first.pull.head.sha) plan \(planA)")
        #expect(stale.contains("a new commit invalidates it") && stale.contains("`\(head.prefix(12))`"), "\(stale)")

        // Planned again at the new head (asked on the issue, answered with where the plan is), then denied:
        // the plan is discarded and cannot be applied.
        let where_ = try #require(try await story.say("/plan", on: first.issue, as: story.alice))
        #expect(where_.contains("@alice: the plan is on #\(a)."), "\(where_)")
        #expect(try await story.comment("plan", on: a)?.contains("### Plan for `\(head.prefix(12))`") == true)
        let denied = try #require(try await story.say("/deny not this week", on: a, as: story.bob))
        #expect(
            denied.contains("@bob denied the plan of `\(head.prefix(12))`: not this week") && denied.contains("The plan is discarded"),
            "\(denied)"
        )
        let afterDeny = try #require(try await story.say("/apply", on: a, as: story.alice))
        #expect(afterDeny.contains("was discarded"), "\(afterDeny)")
        let status = try #require(try await story.say("/status", on: a, as: story.carol))
        #expect(status.contains("**discarded**") && status.contains("Locks held: `\(stack)`") && status.contains("denied by @bob"), "\(status)")
        #expect(try await story.stackStatus("gaffer-s3-bucket-shared-logs") == nil, "a denied plan of a new stack leaves nothing in AWS")

        // Closing A releases its lock: B is served.
        _ = try await story.alice.updatePullRequest(a, state: "closed", in: story.repository)
        try await waitUntil(timeout: .seconds(30), "A's lock to be released") {
            try await story.gaffer.server.store.lock(
                for: StackKey(account: "123456789012", region: "us-east-1", name: "gaffer-s3-bucket-shared-logs")
            ) == nil
        }
        #expect(try await story.say("/plan", on: b, as: story.bob) == nil)
        #expect(try await story.comment("plan", on: b)?.contains("2 to add") == true)

        // Only a maintainer may unlock; after that, B must plan again.
        let notMaintainer = try #require(try await story.say("/unlock", on: b, as: story.bob))
        #expect(notMaintainer.contains("/unlock needs maintain permission"), "\(notMaintainer)")
        let unlocked = try #require(try await story.say("/unlock", on: b, as: story.erin))
        #expect(unlocked.contains("released `\(stack)`"), "\(unlocked)")
        _ = try await story.say("/approve", on: b, as: story.bob)
        let unheld = try #require(try await story.say("/apply", on: b, as: story.alice))
        #expect(unheld.contains("was discarded"), "\(unheld)")
        #expect(try await story.say("/plan", on: b, as: story.alice) == nil)
        _ = try await story.say("/approve", on: b, as: story.bob)
        let applied = try await story.say("/apply", on: b, as: story.alice)
        #expect(applied == nil, "\(applied ?? "")")
        let appliedComment = try await story.comment("apply", on: b)
        let planComment = try await story.comment("plan", on: b)
        #expect(try await story.stackStatus("gaffer-s3-bucket-shared-logs") == "CREATE_COMPLETE", "\(appliedComment ?? "") \(planComment ?? "")")
        #expect(try await story.alice.pullRequest(b, in: story.repository).merged == true)
    }

    /// Approves as bob and applies as alice; returns the apply comment.
    func approveAndApply(_ pull: Int, in story: Story) async throws -> String {
        _ = try await story.say("/approve", on: pull, as: story.bob)
        let refused = try await story.say("/apply", on: pull, as: story.alice)
        #expect(refused == nil, "\(refused ?? "")")
        return try await story.comment("apply", on: pull) ?? ""
    }

    @Test func aTableIsCreatedAndReadBackThroughDynamoDB() async throws {
        let story = try await Story.start()
        defer { story.stop() }
        let created = try await story.openTask(
            "Create a DynamoDB table named story-orders in us-east-1",
            body: "partitionKey: id",
            resource: "dynamodb-table"
        )
        #expect(created.plan.contains("| `gaffer-dynamodb-table-story-orders` | Add | `Table` | AWS::DynamoDB::Table |"), "\(created.plan)")
        #expect(created.plan.contains("`gaffer-dynamodb-table-story-orders-monitoring`"), "the alarms' stack is planned too: \(created.plan)")
        let applied = try await approveAndApply(created.pull.number, in: story)
        #expect(applied.contains(": applied") && !applied.contains("failed"), "\(applied)")
        let table = try await DynamoDB(try story.aws(), region: "us-east-1").describeTable("story-orders")
        #expect(table.tableStatus == "ACTIVE" && table.keySchema.map(\.attributeName) == ["id"])
        #expect(try await story.stackStatus("gaffer-dynamodb-table-story-orders-monitoring") == "CREATE_COMPLETE")

        // /destroy after the merge, on the closed issue: maintain permission, a delete plan, a second person, then gone.
        let denied = try #require(try await story.say("/destroy", on: created.issue, as: story.bob))
        #expect(denied.contains("/destroy needs maintain permission"), "\(denied)")
        let planned = try #require(try await story.say("/destroy", on: created.issue, as: story.erin))
        #expect(planned.contains("the plan to delete") && planned.contains("is on #\(created.pull.number)"), "\(planned)")
        let plan = try #require(try await story.comment("plan", on: created.pull.number))
        #expect(plan.contains("**This plan deletes**") && plan.contains("DeleteStack"), "\(plan)")
        let refused = try #require(try await story.say("/apply", on: created.issue, as: story.alice))
        #expect(refused.contains("it is destructive"), "\(refused)")
        _ = try await story.say("/approve", on: created.issue, as: story.bob)
        let destroyed = try await story.say("/apply", on: created.issue, as: story.alice)
        #expect(destroyed == nil, "\(destroyed ?? "")")
        #expect(try await story.stackStatus("gaffer-dynamodb-table-story-orders") == nil)
        #expect(try await story.stackStatus("gaffer-dynamodb-table-story-orders-monitoring") == nil)
        #expect(try await story.gaffer.server.store.registeredResources().isEmpty)
        let summary = try #require(try await story.comment("status", on: created.issue))
        #expect(summary.contains("### Destroyed: `gaffer-dynamodb-table-story-orders`"), "\(summary)")
    }

    @Test func aBucketIsUpdatedWithTheModifyShownAndApplied() async throws {
        let story = try await Story.start()
        defer { story.stop() }
        let created = try await story.openTask("Create an S3 bucket named story-assets in us-east-1", body: "tags: team=web")
        _ = try await approveAndApply(created.pull.number, in: story)
        let s3 = S3(try story.aws())
        #expect(try await s3.getBucketTagging("story-assets")["team"] == "web")

        let updated = try await story.openTask("Update the S3 bucket named story-assets in us-east-1", body: "tags: team=data")
        #expect(updated.plan.contains("0 to add, 1 to change, 0 to remove, 0 replaced"), "\(updated.plan)")
        #expect(updated.plan.contains("| `gaffer-s3-bucket-story-assets` | Modify | `Bucket` | AWS::S3::Bucket |"), "\(updated.plan)")
        #expect(updated.plan.contains("UPDATE change set"), "\(updated.plan)")
        // This time bob approves with a pull request review, on the commit that was planned.
        struct Review: Encodable, Sendable {
            var event: String
        }
        _ = try await story.bob.send("POST", "/repos/acme/web/pulls/\(updated.pull.number)/reviews", body: Review(event: "APPROVE"), as: .token)
        let refused = try await story.say("/apply", on: updated.pull.number, as: story.alice)
        #expect(refused == nil, "the review is an approval: \(refused ?? "")")
        let applied = try await story.comment("apply", on: updated.pull.number) ?? ""
        #expect(applied.contains(": applied") && applied.contains("UPDATE_COMPLETE"), "\(applied)")
        #expect(try await s3.getBucketTagging("story-assets")["team"] == "data")
        #expect(try await story.gaffer.server.store.deployments(repository: "acme/web").map(\.status) == ["CREATE_COMPLETE", "UPDATE_COMPLETE"])
    }

    @Test func aFunctionIsCreatedAndReadBackThroughLambda() async throws {
        // moto checks no Lambda signature correctly (see ServiceOperationsTests): this endpoint checks none.
        let story = try await Story.start(authenticated: false)
        defer { story.stop() }
        let task = try await story.openTask(
            "Create a Lambda function named story-resize in us-east-1",
            body: "runtime: python3.12\nhandler: app.handler",
            resource: "lambda-function"
        )
        #expect(task.plan.contains("AWS::Lambda::Function"), "\(task.plan)")
        let applied = try await approveAndApply(task.pull.number, in: story)
        #expect(applied.contains(": applied"), "\(applied)")
        let function = try await Lambda(try story.aws(), region: "us-east-1").getFunction("story-resize")
        #expect(function.configuration.runtime == "python3.12")
        let registry = try await story.gaffer.server.store.registeredResources()
        let entry = try #require(registry.first { $0.arn.hasSuffix(":function:story-resize") })
        // The function names its role and its log group; the role names the log group.
        let role = try #require(registry.first { $0.resourceType == "AWS::IAM::Role" })
        let logs = try #require(registry.first { $0.resourceType == "AWS::Logs::LogGroup" })
        #expect(entry.dependsOn == [role.arn, logs.arn].sorted(), "\(entry.dependsOn ?? [])")
        #expect(role.dependsOn == [logs.arn])
        #expect(logs.dependsOn == [])
    }

    @Test func aStackAWSCannotCreateShowsWhyKeepsItsLockAndIsRetriedAfterAFix() async throws {
        // A model explains the failed apply, as a suggestion (the model sandbox plays it).
        let models = try await ModelSandboxFixture()
        defer { Task { await models.stop() } }
        models.sandbox.enqueue(
            ModelSandboxFixture.explanation(cause: "Bucket names are global and taken-logs is taken.", suggestion: "Choose another bucketName.")
        )
        let story = try await Story.start(configure: models.configure(.explain, model: "claude-haiku-4-5"))
        defer { story.stop() }
        let s3 = S3(try story.aws())
        try await s3.createBucket("taken-logs")
        let task = try await story.openTask("Create an S3 bucket named taken-logs in us-east-1")
        let pull = task.pull.number
        let failed = try await approveAndApply(pull, in: story)
        #expect(failed.contains(": failed") && failed.contains("The requested bucket name is not available"), "\(failed)")
        try await waitUntil(timeout: .seconds(60), "the failed apply's explanation") { try await story.comment("explanation", on: pull) != nil }
        let explained = try #require(try await story.comment("explanation", on: pull))
        #expect(
            explained.contains("The apply of plan ") && explained.contains("taken-logs is taken") && explained.contains("not checked"),
            "\(explained)"
        )
        let read = String(decoding: try #require(models.sandbox.received.first).body.serialized(), as: UTF8.self)
        #expect(read.contains("The requested bucket name is not available") && read.contains("(AWS::S3::Bucket)"), "\(read.prefix(3_000))")
        #expect(try await story.gaffer.server.store.locks(repository: "acme/web", pullRequest: pull).count == 1, "the lock is kept")
        #expect(try await story.alice.pullRequest(pull, in: story.repository).state == "open")
        let again = try #require(try await story.say("/apply", on: pull, as: story.alice))
        #expect(again.contains("failed: fix the template and `/plan` again, or `/retry` it"), "\(again)")
        let store = story.gaffer.server.store
        let learned = try await store.learnings(resourceTypes: ["AWS::S3::Bucket"])
        #expect(learned.count == 1, "the failure is learned once, however often it is looked at")
        #expect(learned.first?.reason.contains("The requested bucket name is not available") == true)
        #expect(learned.first?.fix == nil)

        // The cause lay outside the template: once it is gone, /retry plans again and the apply goes through.
        try await s3.deleteBucket("taken-logs")
        #expect(try await story.say("/retry", on: pull, as: story.alice) == nil)
        let applied = try await approveAndApply(pull, in: story)
        #expect(applied.contains(": applied"), "\(applied)")
        #expect(try await s3.bucketExists("taken-logs"))
        #expect(try await story.alice.pullRequest(pull, in: story.repository).merged == true)
        let fixed = try #require(try await store.learnings(resourceTypes: ["AWS::S3::Bucket"]).first)
        #expect(fixed.fix?.hasPrefix("the plan of commit ") == true && fixed.fix?.hasSuffix("in #\(pull), applied by alice") == true, "\(fixed)")
        #expect(try await store.knowledge(kind: .learning, matching: "taken-logs", limit: 5).count == 1)
        #expect(models.sandbox.received.count == 1, "one failure, one explanation; the green runs and the apply cost none")

        // The next bucket's plan shows what was learned.
        let next = try await story.openTask("Create an S3 bucket named other-logs in us-east-1", autoplan: false)
        #expect(next.pull.body?.contains("### Learned before") == true, "\(next.pull.body ?? "")")
        #expect(next.pull.body?.contains("AWS::S3::Bucket failed in acme/web#\(task.issue) (stack gaffer-s3-bucket-taken-logs)") == true)
    }

    @Test func aRunningPipelineIsCancelledAndAFailedOneIsRunAgainByRetry() async throws {
        let story = try await Story.start()
        defer { story.stop() }
        let task = try await story.openTask("Create an S3 bucket named story-slow in us-east-1")
        let pull = task.pull.number
        let branch = "gaffer/\(task.issue)-s3-bucket"
        let buildspec = "infra/gaffer-s3-bucket-story-slow/buildspec.yml"

        // A slow build: /cancel stops it, the check says so, and the plan of the older commit is gone.
        let slow = try await story.sandbox.push(to: branch, path: buildspec) {
            $0.replacingOccurrences(of: "  build:\n    commands:\n", with: "  build:\n    commands:\n      - sleep 120\n")
        }
        try await waitUntil(timeout: .seconds(60), "the slow build to start") {
            try await story.app.checkRuns(named: "gaffer/pipeline", for: slow, in: story.installed).first?.status == "in_progress"
        }
        let cancelled = try #require(try await story.say("/cancel not now", on: pull, as: story.bob))
        #expect(cancelled.contains("the pipeline of `\(slow.prefix(12))` is stopped") && cancelled.contains("the plan of"), "\(cancelled)")
        let check = try #require(try await story.app.checkRuns(named: "gaffer/pipeline", for: slow, in: story.installed).first)
        #expect(check.conclusion == "cancelled" && check.output?.summary?.contains("@bob cancelled this run: not now") == true)
        #expect(try await story.gaffer.server.store.locks(repository: "acme/web", pullRequest: pull).isEmpty)
        try await story.gaffer.settle()
        #expect(try await story.app.checkRuns(named: "gaffer/pipeline", for: slow, in: story.installed).map(\.conclusion) == ["cancelled"])

        // A failing build: /retry asks GitHub to run the check again, and it runs again.
        let failing = try await story.sandbox.push(to: branch, path: buildspec) {
            $0.replacingOccurrences(of: "      - sleep 120\n", with: "      - echo broken && exit 3\n")
        }
        try await waitUntil(timeout: .seconds(60), "the failing build") {
            try await story.app.checkRuns(named: "gaffer/pipeline", for: failing, in: story.installed).first?.conclusion == "failure"
        }
        try await story.gaffer.settle()
        #expect(try await story.say("/retry", on: pull, as: story.bob) == nil)
        try await waitUntil(timeout: .seconds(60), "the second run") {
            let runs = try await story.app.checkRuns(named: "gaffer/pipeline", for: failing, in: story.installed)
            return runs.count == 2 && runs.allSatisfy { $0.status == "completed" }
        }
        try await story.gaffer.settle()
        let unknown = try #require(try await story.say("/retry --step lint", on: pull, as: story.bob))
        #expect(unknown.contains("`--step lint` is not a step; name one of `agents`, `pipeline`, `plan`, `apply`."), "\(unknown)")
        #expect(try await story.say("/retry --step pipeline", on: pull, as: story.bob) == nil)
        try await waitUntil(timeout: .seconds(60), "the third run") {
            let runs = try await story.app.checkRuns(named: "gaffer/pipeline", for: failing, in: story.installed)
            return runs.count == 3 && runs.allSatisfy { $0.status == "completed" }
        }
        #expect(try await story.comment("plan", on: pull)?.contains(failing.prefix(12)) == false, "a failing commit is not planned")
    }

    @Test func aRepositorySetsOnlyWhatTheOperatorLeavesToIt() async throws {
        let story = try await Story.start { $0.repositoryOverrides = ["apply_requirements", "merge_after_apply"] }
        defer { story.stop() }
        // The repository asks for no approval and no merge, and also tries to switch off the destructive rule.
        _ = try await story.sandbox.push(to: "main", path: ".gaffer.yml") { _ in
            "apply_requirements: []\nmerge_after_apply: false\ndestructive_approval: false\n"
        }
        let task = try await story.openTask("Create an S3 bucket named story-repo in us-east-1")
        let refused = try #require(try await story.say("/apply", on: task.pull.number, as: story.alice))
        #expect(refused.contains("the repository's configuration has problems"), "\(refused)")
        #expect(refused.contains("destructive_approval: may not be set by a repository here"), "\(refused)")
        #expect(!refused.contains("has approved it"), "its own apply_requirements hold: \(refused)")

        _ = try await story.sandbox.push(to: "main", path: ".gaffer.yml") { _ in "apply_requirements: []\nmerge_after_apply: false\n" }
        #expect(try await story.say("/apply", on: task.pull.number, as: story.alice) == nil, "no approval needed here")
        #expect(try await S3(try story.aws()).bucketExists("story-repo"))
        let pull = try await story.alice.pullRequest(task.pull.number, in: story.repository)
        #expect(pull.state == "open" && pull.merged != true, "not merged: merge_after_apply is false here")
        #expect(try await story.comment("status", on: task.issue)?.contains("was left open (`merge_after_apply` is off)") == true)
        #expect(try await story.alice.issue(task.issue, in: story.repository).state == "open", "merging it will close the issue")
    }

    @Test func retryPlansAgainATaskWhosePlanStoppedBeforeAPullRequest() async throws {
        let story = try await Story.start()
        defer { story.stop() }
        let issue = try await story.sandbox.openIssue(
            "Create a Lambda function named story-java in us-east-1",
            body: "runtime: java21\nhandler: app.handler",
            as: story.alice
        )
        try await waitUntil(timeout: .seconds(60), "the plan's failure in the status comment") {
            try await story.comment("status", on: issue.number)?.contains("java21") == true
        }
        try await story.gaffer.settle()
        let first = try #require(try await story.gaffer.server.store.latestPlan(repository: "acme/web", issue: issue.number))
        #expect(first.state != .ready)
        let retried = try await story.say("/retry", on: issue.number, as: story.bob)
        #expect(retried == nil, "the status comment answers: \(retried ?? "")")
        let second = try #require(try await story.gaffer.server.store.latestPlan(repository: "acme/web", issue: issue.number))
        #expect(second.id != first.id, "the agents ran again")
        #expect(try await story.comment("status", on: issue.number)?.contains("java21") == true)
        #expect(try await story.alice.pullRequests(head: "gaffer/\(issue.number)-lambda-function", in: story.repository).isEmpty)
    }
}
