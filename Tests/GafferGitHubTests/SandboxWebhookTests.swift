import Foundation
import GafferCore
import GafferGitHub
import GafferTestSupport
import Hummingbird
import Testing

/// The sandbox's webhooks against GitHub's real ones: signed the same way,
/// decoded by the same models, with every key the real payload has.
@Suite(.serialized) struct SandboxWebhookTests {
    struct Received: Sendable {
        var event: String
        var delivery: String
        var signature: String
        var body: Data
    }

    /// A receiver on 127.0.0.1 that keeps what it is sent.
    final class Receiver: Sendable {
        let received = Locked<[Received]>([])
        let port: Int
        private let server: RunningService

        init() async throws {
            let received = self.received
            let router = Router()
            router.post("/hook") { request, _ -> HTTPResponse.Status in
                var request = request
                let body = Data((try await request.body.collect(upTo: 30 << 20)).readableBytesView)
                received.update {
                    $0.append(
                        Received(
                            event: request.headers[.init("X-GitHub-Event")!] ?? "",
                            delivery: request.headers[.init("X-GitHub-Delivery")!] ?? "",
                            signature: request.headers[.init("X-Hub-Signature-256")!] ?? "",
                            body: body
                        )
                    )
                }
                return .accepted
            }
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let application = Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }
            )
            server = RunningService(application)
            var found = 0
            for await port in ports {
                found = port
                break
            }
            port = found
        }

        func stop() { server.stop() }
        var all: [Received] { received.value }
    }

    /// Each received webhook is signed, decodes with Gaffer's models as the named action, and has
    /// every key of the real payload: at the top and in each named object, the repository and the sender.
    func expectLikeTheRealOnes(
        _ received: [Received],
        _ references: [(String, String?, String, [String])],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let real = try Conformance.directory().appendingPathComponent("webhooks")
        let verifier = WebhookVerifier(secrets: [Secret("sandbox-secret")])
        #expect(received.count == references.count, sourceLocation: sourceLocation)
        for (received, (event, action, file, objects)) in zip(received, references) {
            #expect(received.event == event, sourceLocation: sourceLocation)
            #expect(UUID(uuidString: received.delivery) != nil, sourceLocation: sourceLocation)
            #expect(throws: Never.self, sourceLocation: sourceLocation) { try verifier.verify(body: received.body, header: received.signature) }
            #expect(try WebhookEvent.decode(name: event, body: received.body).action == action, sourceLocation: sourceLocation)
            let reference = try Data(contentsOf: real.appendingPathComponent(file))
            // The sandbox's owners are users, so it sends no `organization`; it adds `installation`.
            let missingTop = keys(reference).subtracting(keys(received.body)).subtracting(["organization"])
            #expect(missingTop.isEmpty, "\(event).\(action ?? "-") lacks \(missingTop)", sourceLocation: sourceLocation)
            for object in objects + ["repository", "sender"] {
                let missing = keys(reference, object).subtracting(keys(received.body, object))
                #expect(missing.isEmpty, "\(event).\(action ?? "-") \(object) lacks \(missing.sorted())", sourceLocation: sourceLocation)
            }
        }
    }

    func keys(_ data: Data, _ path: String? = nil) -> Set<String> {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        guard let path else { return Set(object.keys) }
        return Set((object[path] as? [String: Any])?.keys.map { $0 } ?? [])
    }

    @Test func webhooksAreSignedDecodeAndHaveEveryKeyOfTheRealOnes() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let receiver = try await Receiver()
        defer { receiver.stop() }
        await sandbox.webhooks.configure(url: URL(string: "http://127.0.0.1:\(receiver.port)/hook"), secret: "sandbox-secret")
        let person = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        struct NewIssue: Encodable, Sendable {
            var title: String
            var body: String
        }
        let issue = try await person.send(
            "POST",
            "/repos/acme/web/issues",
            body: NewIssue(title: "Create bucket", body: "region: eu-west-1"),
            as: .token,
            decoding: GitHubIssueDetails.self
        )
        _ = try await person.updateIssue(issue.number, in: repository, title: "Create bucket logs")
        try await person.addLabels(["gaffer"], toIssue: issue.number, in: repository)
        _ = try await person.createComment(onIssue: issue.number, in: repository, body: "/plan")
        try await waitUntil(timeout: .seconds(10), "four webhooks") { receiver.all.count == 4 }

        let references = [
            ("issues", "opened", "issues/opened.payload.json", ["issue"]),
            ("issues", "edited", "issues/edited.with-organization.payload.json", ["issue"]),
            ("issues", "labeled", "issues/labeled.payload.json", ["issue", "label"]),
            ("issue_comment", "created", "issue_comment/created.payload.json", ["issue", "comment"]),
        ]
        try expectLikeTheRealOnes(receiver.all, references)
    }

    @Test func pullRequestAndReviewWebhooksHaveEveryKeyOfTheRealOnes() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let receiver = try await Receiver()
        defer { receiver.stop() }
        await sandbox.webhooks.configure(url: URL(string: "http://127.0.0.1:\(receiver.port)/hook"), secret: "sandbox-secret")
        let installed = RepositoryRef(owner: "acme", name: "web", installation: 42)
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let main = try #require(try await app.ref("heads/main", in: installed))
        _ = try await app.createRef("heads/gaffer/issue-1", sha: main.object.sha, in: installed)
        let pull = try await app.createPullRequest(title: "Create bucket", head: "gaffer/issue-1", base: "main", body: nil, in: installed)
        let run = try await app.createCheckRun(name: "gaffer/pipeline", headSha: main.object.sha, status: "in_progress", in: installed)
        try await app.updateCheckRun(run.id, conclusion: "success", output: CheckRunOutput(title: "Pipeline", summary: "passed"), in: installed)
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        struct Review: Encodable, Sendable {
            var event: String
            var body: String
        }
        try await alice.send("POST", "/repos/acme/web/pulls/\(pull.number)/reviews", body: Review(event: "APPROVE", body: "LGTM"), as: .token)
        try await alice.send("PUT", "/repos/acme/web/pulls/\(pull.number)/merge", as: .token)
        try await waitUntil(timeout: .seconds(10), "seven webhooks") { receiver.all.count == 7 }

        let references: [(String, String?, String, [String])] = [
            ("push", nil, "push/with-new-branch.payload.json", []),
            ("pull_request", "opened", "pull_request/opened.payload.json", ["pull_request"]),
            ("check_run", "created", "check_run/created.payload.json", ["check_run"]),
            ("check_run", "completed", "check_run/completed.payload.json", ["check_run"]),
            ("pull_request_review", "submitted", "pull_request_review/submitted.with-organization.payload.json", ["review", "pull_request"]),
            ("push", nil, "push/payload.json", ["head_commit"]),
            ("pull_request", "closed", "pull_request/closed.with-organization.payload.json", ["pull_request"]),
        ]
        try expectLikeTheRealOnes(receiver.all, references)
        if case .pullRequest(let closed) = try WebhookEvent.decode(name: "pull_request", body: receiver.all[6].body) {
            #expect(closed.pullRequest.merged == true)
        }
    }

    @Test func aReviewCommentOnALineAndAReplyInItsThreadAreServedAndSentAsGitHubDescribesThem() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let installed = RepositoryRef(owner: "acme", name: "web", installation: 42)
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let main = try #require(try await app.ref("heads/main", in: installed))
        _ = try await app.createRef("heads/gaffer/issue-1", sha: main.object.sha, in: installed)
        let head = try await sandbox.push(to: "gaffer/issue-1", path: "infra/template.yaml") { _ in
            "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
        }
        let pull = try await app.createPullRequest(title: "Create bucket", head: "gaffer/issue-1", base: "main", body: nil, in: installed)
        let receiver = try await Receiver()
        defer { receiver.stop() }
        await sandbox.webhooks.configure(url: URL(string: "http://127.0.0.1:\(receiver.port)/hook"), secret: "sandbox-secret")
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")

        let first = try await alice.createReviewComment(
            onPull: pull.number,
            in: repository,
            body: "@gaffer versioning: true",
            commit: head,
            path: "infra/template.yaml",
            line: 3
        )
        let reply = try await app.replyToReviewComment(first.id, onPull: pull.number, in: installed, body: "Done.")
        #expect(reply.inReplyToID == first.id && reply.path == "infra/template.yaml" && reply.line == 3, "\(reply) \(first)")
        #expect(try await app.reviewComments(onPull: pull.number, in: installed).map(\.id) == [first.id, reply.id])
        // A line the file does not have, and a reply to a reply, are refused as GitHub refuses them.
        await #expect(throws: GitHubAPIError.self) {
            try await alice.createReviewComment(onPull: pull.number, in: repository, body: "x", commit: head, path: "infra/template.yaml", line: 40)
        }
        await #expect(throws: GitHubAPIError.self) { try await app.replyToReviewComment(reply.id, onPull: pull.number, in: installed, body: "x") }

        try await waitUntil(timeout: .seconds(10), "two webhooks") { receiver.all.count == 2 }
        let events = try receiver.all.map { try WebhookEvent.decode(name: $0.event, body: $0.body) }
        guard case .pullRequestReviewComment(let created) = events.first, case .pullRequestReviewComment(let answered) = events.last else {
            Issue.record("not review comment events: \(events)")
            return
        }
        #expect(created.action == "created" && created.comment.body == "@gaffer versioning: true" && created.comment.inReplyToID == nil)
        #expect(created.pullRequest.head.ref == "gaffer/issue-1" && created.sender.login == "alice" && created.installation?.id == 42)
        #expect(answered.comment.inReplyToID == first.id && answered.sender.login == "gaffer[bot]")

        // Both creations, as sent and answered, validate against GitHub's description.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let exchanges = directory.url.appendingPathComponent("exchanges.jsonl")
        let lines = await sandbox.exchangesJSONLines {
            $0.method == "POST" && $0.path.hasSuffix("/pulls/\(pull.number)/comments") && $0.status == 201
        }
        #expect(lines.split(separator: "\n").count == 2)
        try Data(lines.utf8).write(to: exchanges)
        let (status, text) = try GitHubClientTests.checkContract(exchanges)
        #expect(status == 0, "\(text)")
    }
}
