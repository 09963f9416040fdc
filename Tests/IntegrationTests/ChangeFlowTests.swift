import Foundation
import GafferApp
import GafferAWS
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
        let app: GitHubClient
        let repository = RepositoryRef(owner: "acme", name: "web")
        let installed = RepositoryRef(owner: "acme", name: "web", installation: 42)

        static func start(configure: @escaping (inout GafferConfiguration) -> Void = { _ in }) async throws -> Story {
            let sandbox = try await SandboxFixture()
            let moto = try await MotoServer.start()
            for (login, permission) in [("bob", "write"), ("carol", "read"), ("mallory", "none")] {
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
            try await alice.comments(onIssue: number, in: repository).first {
                $0.user?.login == "gaffer[bot]" && ($0.body?.contains("gaffer:status key=\(key) ") ?? false)
            }?.body
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
        func openTask(_ title: String, body: String = "", resource: String = "s3-bucket") async throws -> (issue: Int, pull: PullRequestDetails, plan: String) {
            let issue = try await sandbox.openIssue(title, body: body, as: alice)
            let branch = "gaffer/\(issue.number)-\(resource)"
            try await waitUntil(timeout: .seconds(60), "the pull request of \(branch)") {
                try await !alice.pullRequests(head: branch, in: repository).isEmpty
            }
            let pull = try #require(try await alice.pullRequests(head: branch, in: repository).first)
            try await waitUntil(timeout: .seconds(120), "the plan comment on #\(pull.number)") {
                try await comment("plan", on: pull.number) != nil
            }
            try await gaffer.settle()
            return (issue.number, pull, try #require(try await comment("plan", on: pull.number)))
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

        // Asked again on the issue: already applied, nothing run.
        let again = try #require(try await story.say("/apply", on: task.issue, as: story.bob))
        #expect(again.contains("was already applied"), "\(again)")
        #expect(try await story.gaffer.server.store.deployments(repository: "acme/web").count == 1)

        // Deleting it: a delete plan (destructive: a second person must approve), then the stack is gone.
        let deletion = try await story.openTask("Delete the S3 bucket named story-logs in us-east-1")
        #expect(deletion.plan.contains("**This plan deletes** `\(stack)`") && deletion.plan.contains("0 to add, 0 to change, 1 to remove") && deletion.plan.contains("| `\(stack)` | `Bucket` | AWS::S3::Bucket |"), "\(deletion.plan)")
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
}
