import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferTestSupport
import Logging
import Testing

/// The whole path on 127.0.0.1: a person opens an issue on the GitHub sandbox,
/// the sandbox sends the signed webhook to Gaffer, a worker reads the issue and
/// answers in the issue's status comment; an edit updates that comment; a near
/// miss of a command gets "did you mean".
struct GitHubFlowTests {
    /// Gaffer's server and workers against the sandbox, its webhooks pointed at Gaffer.
    struct RunningGaffer {
        let server: GafferServer
        let running: RunningService
        let directory: TemporaryDirectory

        init(_ sandbox: SandboxFixture) async throws {
            directory = try TemporaryDirectory()
            var configuration = TestConfiguration.make(directory: directory.url, workers: 2)
            configuration.githubAPIURL = sandbox.baseURL
            configuration.githubAppID = "4242"
            configuration.githubPrivateKey = Secret(sandbox.appPrivateKeyPEM)
            configuration.githubMutationGapSeconds = 0
            configuration.githubCatchUpMinutes = 0
            server = try GafferServer(configuration: configuration, logger: Logger(label: "test"))
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            running = RunningService(server.makeApplication { continuation.yield($0) })
            var port = 0
            for await found in ports {
                port = found
                break
            }
            await sandbox.webhooks.configure(
                url: URL(string: "http://127.0.0.1:\(port)/webhooks/github"),
                secret: TestConfiguration.webhookSecret.revealed
            )
        }

        func stop() {
            running.stop()
            directory.remove()
        }

        /// Waits until every job Gaffer has queued has finished.
        func settle() async throws {
            try await waitUntil(timeout: .seconds(60), "Gaffer's jobs to finish") {
                let counts = try await server.store.countsByState()
                return (counts[.queued] ?? 0) + (counts[.running] ?? 0) == 0
            }
        }
    }

    struct NewIssue: Encodable, Sendable {
        var title: String
        var body: String
        var labels: [String]
    }

    @Test func anIssueWithProblemsIsAnsweredInItsStatusCommentAndANearMissGetsDidYouMean() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let gaffer = try await RunningGaffer(sandbox)
        defer { gaffer.stop() }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let issue = try await alice.send(
            "POST",
            "/repos/acme/web/issues",
            body: NewIssue(title: "Create an S3 bucket named logs-archive", body: "versioning: true", labels: ["gaffer"]),
            as: .token,
            decoding: GitHubIssueDetails.self
        )
        func botComments() async throws -> [GitHubCommentDetails] {
            try await alice.comments(onIssue: issue.number, in: repository).filter { $0.user?.login == "gaffer[bot]" }
        }
        try await waitUntil(timeout: .seconds(20), "the status comment with the problem") {
            try await botComments().first?.body?.contains("`region`") == true
        }
        let first = try #require(try await botComments().first)
        #expect(first.body?.contains("Gaffer cannot act on this issue yet") == true)
        try await gaffer.settle()
        #expect(
            try await alice.pullRequests(head: "gaffer/\(issue.number)-s3-bucket", in: repository).isEmpty,
            "no pull request for a task with problems"
        )

        _ = try await alice.createComment(onIssue: issue.number, in: repository, body: "/aply")
        try await waitUntil(timeout: .seconds(20), "did you mean") {
            try await botComments().contains { $0.body?.contains("did you mean `/apply`?") == true }
        }
        #expect(try await botComments().count == 2)
    }

    @Test func anIssueBecomesOnePullRequestOfTheAgentsFilesAndAnEditMovesItForward() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let gaffer = try await RunningGaffer(sandbox)
        defer { gaffer.stop() }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let issue = try await alice.send(
            "POST",
            "/repos/acme/web/issues",
            body: NewIssue(title: "Create an S3 bucket named logs-archive in eu-west-1", body: "versioning: true", labels: ["gaffer"]),
            as: .token,
            decoding: GitHubIssueDetails.self
        )
        let branch = "gaffer/\(issue.number)-s3-bucket"
        func botComments() async throws -> [GitHubCommentDetails] {
            try await alice.comments(onIssue: issue.number, in: repository).filter { $0.user?.login == "gaffer[bot]" }
        }
        try await waitUntil(timeout: .seconds(30), "the status comment to link the pull request") {
            try await botComments().first?.body?.contains("pull request #") == true
        }
        try await gaffer.settle()
        let pulls = try await alice.pullRequests(head: branch, in: repository)
        #expect(pulls.count == 1)
        let pull = try #require(pulls.first)
        #expect(pull.state == "open" && pull.base.ref == "main")
        #expect(pull.title == "Create S3 bucket logs-archive (#\(issue.number))")
        let body = try #require(pull.body)
        #expect(body.contains("Closes #\(issue.number)"))
        let status = try #require(try await botComments().first?.body)
        #expect(status.contains("#\(pull.number)") && status.contains(branch))
        #expect(try await botComments().count == 1)
        #expect(await sandbox.state.issueReactions("acme/web", number: issue.number).contains { $0 == ("eyes", "gaffer[bot]") })

        // The branch holds exactly the agents' files, committed by the bot with the requester as co-author.
        let bare = try #require(await sandbox.state.gitDirectory(of: "acme/web")).path
        let files = try await GitCLI.run(["--git-dir", bare, "ls-tree", "-r", "--name-only", "refs/heads/\(branch)"]).split(separator: "\n")
        let folder = "infra/gaffer-s3-bucket-logs-archive/"
        #expect(Set(files.map(String.init)) == Set(["template.yaml", "buildspec.yml", "README.md"].map { folder + $0 }))
        for file in files { #expect(body.contains("`\(file)`")) }
        let template = try await GitCLI.run(["--git-dir", bare, "show", "refs/heads/\(branch):\(folder)template.yaml"])
        #expect(template.contains("AWS::S3::Bucket") && template.contains("Status: Enabled"))
        let message = try await GitCLI.run(["--git-dir", bare, "log", "-1", "--format=%an <%ae>%n%B", "refs/heads/\(branch)"])
        #expect(message.hasPrefix("gaffer[bot] <"))
        #expect(message.contains("Co-authored-by: alice <"))
        let first = try await GitCLI.run(["--git-dir", bare, "rev-parse", "refs/heads/\(branch)"])

        // Every delivery so far, sent again: nothing on GitHub changes.
        for delivery in await sandbox.webhooks.deliveries { _ = await sandbox.webhooks.redeliver(id: delivery.id) }
        try await gaffer.settle()
        #expect(try await GitCLI.run(["--git-dir", bare, "rev-parse", "refs/heads/\(branch)"]) == first)
        #expect(try await alice.pullRequests(head: branch, in: repository).count == 1)
        #expect(try await botComments().count == 1)

        // An edit plans again onto the same branch: one more commit, the same pull request.
        _ = try await alice.updateIssue(issue.number, in: repository, body: "versioning: false")
        try await waitUntil(timeout: .seconds(30), "a second commit on the branch") {
            try await GitCLI.run(["--git-dir", bare, "rev-parse", "refs/heads/\(branch)"]) != first
        }
        try await gaffer.settle()
        #expect(try await GitCLI.run(["--git-dir", bare, "rev-parse", "refs/heads/\(branch)~1"]) == first)
        let edited = try await GitCLI.run(["--git-dir", bare, "show", "refs/heads/\(branch):\(folder)template.yaml"])
        #expect(!edited.contains("Status: Enabled"))
        let after = try await alice.pullRequests(head: branch, in: repository)
        #expect(after.map(\.number) == [pull.number])
        #expect(try await botComments().count == 1)
    }
}
