import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferTestSupport
import Synchronization
import Testing

/// Planted canaries (an AWS key, a GitHub token, a private key) in an issue, in a pipeline's
/// output and in a comment: none appears in what Gaffer writes to GitHub or keeps in its
/// knowledge base.
@Suite struct RedactionFlowTests {
    static let accessKey = "AKIAIOSFODNN7EXAMPLE"
    static let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345"
    static let pem = "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-----END PRIVATE KEY-----"

    func expectNoCanary(_ text: String?, _ where: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for canary in [Self.accessKey, Self.token, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"] {
            #expect(text?.contains(canary) != true, "\(canary) in \(`where`): \(text ?? "")", sourceLocation: sourceLocation)
        }
    }

    @Test func plantedSecretsAppearNowhereGafferWrites() async throws {
        let story = try await ChangeFlowTests.Story.start()
        defer { story.stop() }
        let task = try await story.openTask(
            "Create an S3 bucket named canary-logs in us-east-1",
            body: "tags: key=\(Self.accessKey), token=\(Self.token)"
        )
        let pull = task.pull.number

        // A build that prints them.
        let loud = try await story.sandbox.push(to: "gaffer/\(task.issue)-s3-bucket", path: "infra/gaffer-s3-bucket-canary-logs/buildspec.yml") {
            $0.replacingOccurrences(
                of: "  build:\n    commands:\n",
                with: "  build:\n    commands:\n      - echo \"\(Self.accessKey) \(Self.token)\"\n"
            )
        }
        try await waitUntil(timeout: .seconds(120), "the loud build") {
            try await story.app.checkRuns(named: "gaffer/pipeline", for: loud, in: story.installed).first?.status == "completed"
        }
        let check = try #require(try await story.app.checkRuns(named: "gaffer/pipeline", for: loud, in: story.installed).first)
        #expect(check.output?.text?.contains("[REDACTED AWS access key] [REDACTED GitHub token]") == true, "\(check.output?.text ?? "")")

        // A comment that quotes a private key.
        let denied = try #require(try await story.say("/deny \"leaked \(Self.pem)\"", on: pull, as: story.bob))
        #expect(denied.contains("[REDACTED private key]"), "\(denied)")
        try await story.gaffer.settle()

        for number in [task.issue, pull] {
            for comment in try await story.alice.comments(onIssue: number, in: story.repository) where comment.user?.login == "gaffer[bot]" {
                expectNoCanary(comment.body, "a comment on #\(number)")
            }
        }
        expectNoCanary(try await story.alice.pullRequest(pull, in: story.repository).body, "the pull request's body")
        for sha in [task.pull.head.sha, loud] {
            for run in try await story.app.checkRuns(named: "gaffer/pipeline", for: sha, in: story.installed) {
                expectNoCanary(run.output?.summary, "a check run's summary")
                expectNoCanary(run.output?.text, "a check run's text")
            }
        }
        let decisions = try await story.gaffer.server.store.knowledge(kind: .decision, matching: nil, limit: 10)
        #expect(decisions.contains { $0.summary.contains("[REDACTED private key]") }, "\(decisions)")
        for entry in decisions { expectNoCanary(entry.summary, "the knowledge base") }
    }

    /// AWS's own words can carry a key (an error naming the credentials it refused): they are redacted too.
    @Test func aKeyInAnAWSErrorIsNotQuoted() async throws {
        let moto = Mutex<String?>(nil)
        let endpoint = try await StubHTTPServer.start { request in
            let form = String(decoding: request.body, as: UTF8.self)
            guard form.contains("Action=CreateChangeSet") else { return await request.forward(to: moto.withLock { $0 } ?? "") }
            return StubResponse(
                status: 403,
                headers: ["Content-Type": "text/xml"],
                body: """
                    <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User with access key \(Self.accessKey) \
                    is not authorized to perform: cloudformation:CreateChangeSet</Message></Error><RequestId>r-1</RequestId></ErrorResponse>
                    """
            )
        }
        defer { Task { await endpoint.stop() } }
        // moto checks no signature, so requests passed on through the stand-in (another Host) still count.
        let story = try await ChangeFlowTests.Story.start(authenticated: false) { configuration in
            moto.withLock { $0 = configuration.aws.endpointURL }
            configuration.aws.endpointURL = endpoint.url
            configuration.aws.maxAttempts = 1
        }
        defer { story.stop() }
        let task = try await story.openTask("Create an S3 bucket named refused-logs in us-east-1")
        #expect(task.plan.contains("User with access key [REDACTED AWS access key]"), "\(task.plan)")
        for number in [task.issue, task.pull.number] {
            for comment in try await story.alice.comments(onIssue: number, in: story.repository) where comment.user?.login == "gaffer[bot]" {
                expectNoCanary(comment.body, "a comment on #\(number)")
            }
        }
    }
}
