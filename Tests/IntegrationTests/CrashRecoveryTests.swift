import Foundation
import GafferCore
import GafferGitHub
import GafferSandbox
import GafferTestSupport
import Testing

/// `kill -9` of Gaffer while it reads the issue, while it opens the pull request and while
/// the pipeline runs; after each restart the work finishes, once: one branch with one
/// commit, one pull request, one status comment, one check run.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test func killedWhilePlanningPublishingAndCheckingEachFinishesOnce() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let directory = try TemporaryDirectory("gaffer-kill")
        defer { directory.remove() }
        let port = try unusedPort()
        // A short lease, so a job whose worker was killed is taken again soon after the restart; and catch-up
        // at start, so the webhooks sent while Gaffer was down are asked for again.
        let environment = childEnvironment(
            dataDirectory: directory.url,
            extra: [
                "GAFFER_PORT": String(port), "GAFFER_JOB_LEASE_SECONDS": "2", "GAFFER_GITHUB_API_URL": sandbox.baseURL.absoluteString,
                "GAFFER_GITHUB_APP_ID": "4242", "GAFFER_GITHUB_PRIVATE_KEY": sandbox.appPrivateKeyPEM,
                "GAFFER_GITHUB_MUTATION_GAP_SECONDS": "0", "GAFFER_GITHUB_CATCH_UP_MINUTES": "10",
            ]
        )
        await sandbox.webhooks.configure(
            url: URL(string: "http://127.0.0.1:\(port)/webhooks/github"),
            secret: TestConfiguration.webhookSecret.revealed,
            timeout: .seconds(2)
        )
        func start() async throws -> GafferProcess {
            let gaffer = try GafferProcess(arguments: ["serve"], environment: environment)
            _ = try await gaffer.waitForPort()
            return gaffer
        }
        func killed(_ gaffer: GafferProcess) async throws {
            gaffer.signal(SIGKILL)
            _ = try await gaffer.waitForExit()
        }
        func requested(_ method: String, _ path: String) async -> Bool {
            await sandbox.state.requests.contains { $0.method == method && $0.path == path }
        }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")

        // 1. Killed while it reads the issue to plan it (GitHub is slow to answer).
        await sandbox.state.addFault(.init(method: "GET", pathPrefix: "/repos/acme/web/issues/1", status: 0, delayMilliseconds: 5_000))
        let first = try await start()
        defer { first.stop() }
        let issue = try await sandbox.openIssue("Create an S3 bucket named crash-logs in us-east-1", as: alice)
        #expect(issue.number == 1)
        try await waitUntil(timeout: .seconds(30), "Gaffer to ask for the issue") { await requested("GET", "/repos/acme/web/issues/1") }
        try await killed(first)

        // 2. Killed while the pull request is being opened (GitHub makes it, but Gaffer never hears back).
        await sandbox.state.addFault(.init(method: "POST", pathPrefix: "/repos/acme/web/pulls", status: 0, delayMilliseconds: 3_000))
        let second = try await start()
        defer { second.stop() }
        try await waitUntil(timeout: .seconds(60), "Gaffer to open the pull request") { await requested("POST", "/repos/acme/web/pulls") }
        try await killed(second)
        let branch = "gaffer/1-s3-bucket"
        try await waitUntil(timeout: .seconds(10), "GitHub to finish opening it") {
            try await !alice.pullRequests(head: branch, in: repository).isEmpty
        }

        // 3. Killed while the pipeline runs.
        let third = try await start()
        defer { third.stop() }
        let pull = try #require(try await alice.pullRequests(head: branch, in: repository).first)
        try await waitUntil(timeout: .seconds(60), "the pipeline to start") {
            try await alice.checkRuns(named: "gaffer/pipeline", for: pull.head.sha, in: repository).first?.status == "in_progress"
        }
        try await killed(third)

        let fourth = try await start()
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
}
