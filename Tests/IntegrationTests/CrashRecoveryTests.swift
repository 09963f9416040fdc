import Foundation
import GafferAWS
import GafferCore
import GafferGitHub
import GafferSandbox
import GafferTestSupport
import Testing

/// `kill -9` of Gaffer while it reads the issue, while it opens the pull request and while
/// the pipeline runs; after each restart the work finishes, once: one branch with one
/// commit, one pull request, one status comment, one check run.
@Suite(.serialized) struct CrashRecoveryTests {
    /// `gaffer serve` as a child process against the sandbox, started and killed at will over one data directory.
    /// A short lease, so a job whose worker was killed is taken again soon after the restart; and catch-up at
    /// start, so the webhooks sent while Gaffer was down are asked for again.
    struct KillableGaffer {
        let environment: [String: String]

        init(_ sandbox: SandboxFixture, directory: TemporaryDirectory, extra: [String: String] = [:]) async throws {
            let port = try unusedPort()
            environment = childEnvironment(
                dataDirectory: directory.url,
                extra: [
                    "GAFFER_PORT": String(port), "GAFFER_JOB_LEASE_SECONDS": "2", "GAFFER_GITHUB_API_URL": sandbox.baseURL.absoluteString,
                    "GAFFER_GITHUB_APP_ID": "4242", "GAFFER_GITHUB_PRIVATE_KEY": sandbox.appPrivateKeyPEM,
                    "GAFFER_GITHUB_MUTATION_GAP_SECONDS": "0", "GAFFER_GITHUB_CATCH_UP_MINUTES": "10",
                ].merging(extra) { $1 }
            )
            await sandbox.webhooks.configure(
                url: URL(string: "http://127.0.0.1:\(port)/webhooks/github"),
                secret: TestConfiguration.webhookSecret.revealed,
                timeout: .seconds(2)
            )
        }

        func start() async throws -> GafferProcess {
            let gaffer = try GafferProcess(arguments: ["serve"], environment: environment)
            _ = try await gaffer.waitForPort()
            return gaffer
        }

        func kill(_ gaffer: GafferProcess) async throws {
            gaffer.signal(SIGKILL)
            _ = try await gaffer.waitForExit()
        }
    }

    @Test func killedWhilePlanningPublishingAndCheckingEachFinishesOnce() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let directory = try TemporaryDirectory("gaffer-kill")
        defer { directory.remove() }
        let gaffer = try await KillableGaffer(sandbox, directory: directory, extra: ["GAFFER_AUTOPLAN": "false"])
        func requested(_ method: String, _ path: String) async -> Bool {
            await sandbox.state.requests.contains { $0.method == method && $0.path == path }
        }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")

        // 1. Killed while it reads the issue to plan it (GitHub is slow to answer).
        await sandbox.state.addFault(.init(method: "GET", pathPrefix: "/repos/acme/web/issues/1", status: 0, delayMilliseconds: 5_000))
        let first = try await gaffer.start()
        defer { first.stop() }
        let issue = try await sandbox.openIssue("Create an S3 bucket named crash-logs in us-east-1", as: alice)
        #expect(issue.number == 1)
        try await waitUntil(timeout: .seconds(30), "Gaffer to ask for the issue") { await requested("GET", "/repos/acme/web/issues/1") }
        try await gaffer.kill(first)

        // 2. Killed while the pull request is being opened (GitHub makes it, but Gaffer never hears back).
        await sandbox.state.addFault(.init(method: "POST", pathPrefix: "/repos/acme/web/pulls", status: 0, delayMilliseconds: 3_000))
        let second = try await gaffer.start()
        defer { second.stop() }
        try await waitUntil(timeout: .seconds(60), "Gaffer to open the pull request") { await requested("POST", "/repos/acme/web/pulls") }
        try await gaffer.kill(second)
        let branch = "gaffer/1-s3-bucket"
        try await waitUntil(timeout: .seconds(10), "GitHub to finish opening it") {
            try await !alice.pullRequests(head: branch, in: repository).isEmpty
        }

        // 3. Killed while the pipeline runs.
        let third = try await gaffer.start()
        defer { third.stop() }
        let pull = try #require(try await alice.pullRequests(head: branch, in: repository).first)
        try await waitUntil(timeout: .seconds(60), "the pipeline to start") {
            try await alice.checkRuns(named: "gaffer/pipeline", for: pull.head.sha, in: repository).first?.status == "in_progress"
        }
        try await gaffer.kill(third)

        let fourth = try await gaffer.start()
        defer { fourth.stop() }
        try await waitUntil(timeout: .seconds(120), "the pipeline to finish") {
            try await alice.checkRuns(named: "gaffer/pipeline", for: pull.head.sha, in: repository).first?.status == "completed"
        }
        try await waitUntil(timeout: .seconds(30), "the status comment to link the pull request") {
            try await alice.comments(onIssue: 1, in: repository).contains { $0.body?.contains("pull request #\(pull.number)") == true }
        }

        // Once each.
        #expect(try await alice.pullRequests(head: branch, in: repository).count == 1)
        let runs = try await alice.checkRuns(named: "gaffer/pipeline", for: pull.head.sha, in: repository)
        #expect(runs.map(\.conclusion) == ["success"])
        let bare = try #require(await sandbox.state.gitDirectory(of: "acme/web")).path
        #expect(try await GitCLI.run(["--git-dir", bare, "rev-list", "--count", "main..refs/heads/\(branch)"]) == "1")
        #expect(try await alice.comments(onIssue: 1, in: repository).filter { $0.user?.login == "gaffer[bot]" }.count == 1)
        #expect(await sandbox.state.issueReactions("acme/web", number: 1).filter { $0.user == "gaffer[bot]" }.map(\.content) == ["eyes"])
    }

    @Test func killedWhilePlanningAndWhileApplyingEachFinishesOnceFromWhatAWSSays() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        _ = await sandbox.state.addUser("bob", token: "ghp_bob_0123456789")
        await sandbox.state.setPermission("write", for: "bob", in: "acme/web")
        let directory = try TemporaryDirectory("gaffer-kill-apply")
        defer { directory.remove() }
        let gaffer = try await KillableGaffer(
            sandbox,
            directory: directory,
            extra: [
                "GAFFER_AWS_ENDPOINT_URL": moto.endpoint, "GAFFER_AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID,
                "GAFFER_AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey.revealed, "GAFFER_DEFAULT_REGION": "us-east-1",
            ]
        )
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let bob = try await sandbox.client(.token(Secret("ghp_bob_0123456789")))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let cloudFormation = CloudFormation(try moto.client(), region: "us-east-1")
        let stack = "gaffer-s3-bucket-crash-plan"
        func botComments(_ number: Int, key: String) async throws -> [GitHubCommentDetails] {
            try await sandbox.gafferComments(key, on: number, as: alice)
        }

        // 1. Killed while it writes the plan comment (GitHub is slow): the change set is made, the comment not yet.
        await sandbox.state.addFault(.init(method: "POST", pathPrefix: "/repos/acme/web/issues/2/comments", status: 0, delayMilliseconds: 6_000))
        let first = try await gaffer.start()
        defer { first.stop() }
        _ = try await sandbox.openIssue("Create an S3 bucket named crash-plan in us-east-1", as: alice)
        try await waitUntil(timeout: .seconds(120), "the plan's change set and the comment's request") {
            let made = (try? await cloudFormation.listChangeSets(stack).count) ?? 0
            let asked = await sandbox.state.requests.contains { $0.method == "POST" && $0.path == "/repos/acme/web/issues/2/comments" }
            return made == 1 && asked
        }
        try await gaffer.kill(first)

        let second = try await gaffer.start()
        defer { second.stop() }
        try await waitUntil(timeout: .seconds(60), "the plan comment") { try await botComments(2, key: "plan").count == 1 }
        #expect(try await cloudFormation.listChangeSets(stack).count == 1, "the change set made before the kill is the one shown")
        let plan = try #require(try await botComments(2, key: "plan").first?.body)
        #expect(plan.contains(try await cloudFormation.listChangeSets(stack)[0].id))
        _ = try await bob.createComment(onIssue: 2, in: repository, body: "/approve")
        try await waitUntil(timeout: .seconds(30), "bob's approval") {
            try await alice.comments(onIssue: 2, in: repository).contains { $0.body?.contains("@bob approved") == true }
        }

        // 2. Killed while it writes the apply's progress: AWS has run the change set, Gaffer has not seen it end.
        // (alice's own comment waits too: the slow answer is for the next two comments on the pull request.)
        await sandbox.state.addFault(
            .init(method: "POST", pathPrefix: "/repos/acme/web/issues/2/comments", status: 0, remaining: 2, delayMilliseconds: 4_000)
        )
        _ = try await alice.createComment(onIssue: 2, in: repository, body: "/apply")
        try await waitUntil(timeout: .seconds(60), "AWS to have created the stack") {
            try await cloudFormation.describeStacks(name: stack).first?.status == "CREATE_COMPLETE"
        }
        try await gaffer.kill(second)

        let third = try await gaffer.start()
        defer { third.stop() }
        try await waitUntil(timeout: .seconds(60), "the pull request to be merged") {
            try await alice.pullRequest(2, in: repository).merged == true
        }
        try await waitUntil(timeout: .seconds(30), "the issue to be closed") { try await alice.issue(1, in: repository).state == "closed" }
        let events = try await cloudFormation.describeStackEvents(stack)
        #expect(events.filter { $0.logicalResourceID == stack && $0.status == "CREATE_IN_PROGRESS" }.count == 1, "executed once")
        #expect(try await botComments(2, key: "apply").count == 1)
        #expect(try await botComments(2, key: "apply").first?.body?.contains(": applied") == true)
        #expect(try await botComments(1, key: "status").first?.body?.contains("### Done: Create S3 bucket crash-plan") == true)
    }
}
