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
    @Test func anIssueIsAnsweredInItsStatusCommentAndAnEditUpdatesIt() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var configuration = TestConfiguration.make(directory: directory.url, workers: 2)
        configuration.githubAPIURL = sandbox.baseURL
        configuration.githubAppID = "4242"
        configuration.githubPrivateKey = Secret(sandbox.appPrivateKeyPEM)
        configuration.githubMutationGapSeconds = 0
        configuration.githubCatchUpMinutes = 0
        let server = try GafferServer(configuration: configuration, logger: Logger(label: "test"))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = server.makeApplication { continuation.yield($0) }
        let running = RunningService(application)
        defer { running.stop() }
        var port = 0
        for await found in ports {
            port = found
            break
        }
        await sandbox.webhooks.configure(
            url: URL(string: "http://127.0.0.1:\(port)/webhooks/github"),
            secret: TestConfiguration.webhookSecret.revealed
        )

        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        struct NewIssue: Encodable, Sendable {
            var title: String
            var body: String
            var labels: [String]
        }
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

        _ = try await alice.updateIssue(issue.number, in: repository, title: "Create an S3 bucket named logs-archive in eu-west-1")
        try await waitUntil(timeout: .seconds(20), "the status comment to say the task was understood") {
            try await botComments().first?.body?.contains("Gaffer understood this issue") == true
        }
        let comments = try await botComments()
        #expect(comments.count == 1 && comments.first?.id == first.id, "edited in place, not duplicated")
        #expect(comments.first?.body?.contains("| versioning | `true` |") == true)

        _ = try await alice.createComment(onIssue: issue.number, in: repository, body: "/aply")
        try await waitUntil(timeout: .seconds(20), "did you mean") {
            try await botComments().contains { $0.body?.contains("did you mean `/apply`?") == true }
        }
    }
}
