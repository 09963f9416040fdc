import Foundation
import GafferCore
import GafferGitHub
import GafferProcess
import GafferTestSupport
import Testing

/// Refs, pull requests and check runs against the sandbox, whose repositories
/// are real bare git repositories.
@Suite(.serialized) struct PullRequestTests {
    let repository = RepositoryRef(owner: "acme", name: "web", installation: 42)

    /// A commit on top of `parent` in the sandbox's bare repository, as a push would leave it.
    func commit(in gitDirectory: URL, parent: String) throws -> String {
        func git(_ arguments: [String]) throws -> String {
            try Program.run(
                ["git", "--git-dir", gitDirectory.path] + arguments,
                environment: [
                    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                    "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
                ]
            ).outputText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let tree = try git(["mktree"])
        return try git(["commit-tree", tree, "-p", parent, "-m", "Add the bucket"])
    }

    @Test func aBranchAPullRequestAndACheckRun() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let main = try #require(try await app.ref("heads/main", in: repository))
        #expect(try await app.ref("heads/nope", in: repository) == nil)
        let gitDirectory = try #require(await sandbox.state.gitDirectory(of: "acme/web"))
        let change = try commit(in: gitDirectory, parent: main.object.sha)
        let branch = try await app.createRef("heads/gaffer/issue-7", sha: change, in: repository)
        #expect(branch.ref == "refs/heads/gaffer/issue-7" && branch.object.sha == change)

        let pull = try await app.createPullRequest(
            title: "Create bucket logs-archive",
            head: "gaffer/issue-7",
            base: "main",
            body: "Closes #7",
            in: repository
        )
        #expect(pull.head.sha == change && pull.base.sha == main.object.sha && pull.state == "open")
        #expect(try await app.pullRequests(head: "gaffer/issue-7", in: repository).map(\.number) == [pull.number], "found again by its branch")
        #expect(try await app.pullRequests(head: "other", in: repository).isEmpty)
        #expect(
            try await app.updatePullRequest(pull.number, title: "Create bucket logs-archive (eu-west-1)", in: repository).title.hasSuffix(
                "(eu-west-1)"
            )
        )
        #expect(try await app.pullRequest(pull.number, in: repository).number == pull.number)

        // Moving the branch back is not a fast-forward: refused unless forced.
        await #expect(throws: GitHubAPIError.self) { try await app.updateRef("heads/gaffer/issue-7", sha: main.object.sha, in: repository) }
        #expect(try await app.updateRef("heads/gaffer/issue-7", sha: main.object.sha, force: true, in: repository).object.sha == main.object.sha)
        _ = try await app.updateRef("heads/gaffer/issue-7", sha: change, force: true, in: repository)

        let annotations = (1...120).map { CheckRunAnnotation(path: "template.yml", startLine: $0, level: "warning", message: "finding \($0)") }
        let log = String(repeating: "a line of the pipeline log\n", count: 4_000)
        let run = try await app.createCheckRun(
            name: "gaffer/pipeline",
            headSha: change,
            status: "in_progress",
            output: CheckRunOutput(
                title: "Pipeline",
                summary: "lint, test, preview",
                text: CommentSplitter.checkRunText(log, fullLog: "https://gaffer.example.com/jobs/1/log"),
                annotations: annotations
            ),
            in: repository
        )
        let done = try await app.updateCheckRun(run.id, conclusion: "success", in: repository)
        #expect(done.status == "completed" && done.conclusion == "success")
        let checkRequests = await sandbox.state.requests.filter { $0.path.contains("/check-runs") }
        #expect(checkRequests.map(\.method) == ["POST", "PATCH", "PATCH", "PATCH"], "120 annotations go 50 at a time")
        #expect(checkRequests.allSatisfy { ($0.status ?? 0) < 300 })

        // A person with write access merges it.
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        try await alice.send("PUT", "/repos/acme/web/pulls/\(pull.number)/merge", as: .token)
        let merged = try await app.pullRequest(pull.number, in: repository)
        #expect(merged.state == "closed" && merged.merged == true)
        #expect(try await app.ref("heads/main", in: repository)?.object.sha != main.object.sha)

        // Every exchange validates against GitHub's description, but for the calls its subset
        // lacks: a person's merge, and updating a ref or a pull request.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let exchanges = directory.url.appendingPathComponent("exchanges.jsonl")
        let lines = await sandbox.exchangesJSONLines {
            !$0.path.hasSuffix("/merge") && !($0.method == "PATCH" && ($0.path.contains("/git/refs/") || $0.path.contains("/pulls/")))
        }
        try Data(lines.utf8).write(to: exchanges)
        let (status, text) = try GitHubClientTests.checkContract(exchanges)
        #expect(status == 0, "\(text)")
    }

    @Test func aCheckRunTooLongOrByAPersonIsRefused() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let main = try #require(try await app.ref("heads/main", in: repository))
        let tooLong = CheckRunOutput(title: "Pipeline", summary: String(repeating: "x", count: 65_536))
        await #expect(throws: GitHubAPIError.self) {
            try await app.createCheckRun(name: "gaffer/pipeline", headSha: main.object.sha, status: "queued", output: tooLong, in: repository)
        }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        do {
            _ = try await alice.createCheckRun(name: "x", headSha: main.object.sha, status: "queued", in: RepositoryRef(owner: "acme", name: "web"))
            Issue.record("a person created a check run")
        } catch let error as GitHubAPIError {
            #expect(error.status == 403 && error.message.contains("GitHub App"))
        }
    }
}
