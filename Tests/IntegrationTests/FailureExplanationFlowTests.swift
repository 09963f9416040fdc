import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferSandbox
import GafferTestSupport
import Testing

/// A pull request's pipeline that fails gets a model's reading of the failure on the pull request, through the real
/// Gaffer, the GitHub sandbox and the model sandbox: marked as an unchecked suggestion, unable to link or mention,
/// and made from the masked output alone. A green run costs no call.
struct FailureExplanationFlowTests {
    typealias RunningGaffer = GitHubFlowTests.RunningGaffer

    @Test func aRedPipelineGetsAModelsSuggestionMarkedAsUnchecked() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let models = try await ModelSandboxFixture()
        defer { Task { await models.stop() } }
        models.sandbox.enqueue(
            ModelSandboxFixture.explanation(
                cause:
                    "cfn-lint says NotAProperty is not a property of AWS::S3::Bucket (template.yaml line 9). See https://evil.example and ask @bob.",
                suggestion: "Remove the NotAProperty line, or use a property S3 has, such as **VersioningConfiguration**."
            )
        )
        let gaffer = try await RunningGaffer(sandbox, configure: models.configure(.explain, model: "claude-haiku-4-5"))
        defer { gaffer.stop() }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let installed = RepositoryRef(owner: "acme", name: "web", installation: 42)
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let issue = try await sandbox.openIssue("Create an S3 bucket named logs-archive in eu-west-1", as: alice)
        let branch = "gaffer/\(issue.number)-s3-bucket"
        try await waitUntil(timeout: .seconds(90), "the pull request") { try await !alice.pullRequests(head: branch, in: repository).isEmpty }
        let pull = try #require(try await alice.pullRequests(head: branch, in: repository).first)
        try await waitUntil(timeout: .seconds(120), "the first, green run") {
            try await app.checkRuns(named: "gaffer/pipeline", for: pull.head.sha, in: installed).first?.conclusion == "success"
        }
        try await gaffer.settle()
        #expect(models.sandbox.received.isEmpty, "a green run costs no call")

        let head = try await sandbox.push(to: branch, path: "infra/gaffer-s3-bucket-logs-archive/template.yaml") { text in
            text.replacing("    Properties:\n", with: "    Properties:\n      NotAProperty: true\n", maxReplacements: 1)
        }
        try await waitUntil(timeout: .seconds(120), "the explanation on the pull request") {
            try await !sandbox.gafferComments("explanation", on: pull.number, as: alice).isEmpty
        }
        try await gaffer.settle()
        #expect(try await app.checkRuns(named: "gaffer/pipeline", for: head, in: installed).first?.conclusion == "failure")
        let comment = try #require(try await sandbox.gafferComments("explanation", on: pull.number, as: alice).first?.body)
        #expect(comment.contains("a model's suggestion") && comment.contains("Gaffer has not checked it"))
        #expect(comment.contains("at commit \(head.prefix(12)) failed") && comment.contains("`anthropic/claude-haiku-4-5`"))
        #expect(comment.contains("NotAProperty is not a property"))
        #expect(!comment.contains("https://evil.example") && !comment.contains("@bob") && !comment.contains("**Versioning"), "\(comment)")

        // What the model read: the run's masked output, as data.
        let sent = try #require(models.sandbox.received.first)
        let text = String(decoding: sent.body.serialized(), as: UTF8.self)
        #expect(text.contains("<failure>") && text.contains("NotAProperty"))
        #expect(sent.body["tool_choice"] == ["type": "tool", "name": "explain_failure"])
        try await waitUntil(timeout: .seconds(10), "the call to be recorded") {
            try await gaffer.server.store.modelCalls(repository: "acme/web", issue: issue.number).first?.purpose == "explain-pipeline"
        }
        #expect(models.sandbox.received.count == 1)

        // The fix passes: the suggestion is marked as about a failure that is gone, at no model call.
        let fixed = try await sandbox.push(to: branch, path: "infra/gaffer-s3-bucket-logs-archive/template.yaml") { text in
            text.replacingOccurrences(of: "      NotAProperty: true\n", with: "")
        }
        try await waitUntil(timeout: .seconds(120), "the explanation marked outdated") {
            try await sandbox.gafferComments("explanation", on: pull.number, as: alice).first?.body?.contains("no longer applies") == true
        }
        let outdated = try #require(try await sandbox.gafferComments("explanation", on: pull.number, as: alice).first?.body)
        #expect(outdated.contains("at commit \(fixed.prefix(12)) passed") && !outdated.contains("Likely cause"))
        #expect(models.sandbox.received.count == 1)
    }
}
