import Foundation
import GafferCore
import GafferGitHub
import GafferTestSupport
import Testing

/// The sandbox serves its repositories over git's smart HTTP at their `clone_url`, with GitHub's
/// rules for who may fetch and push, and raises GitHub's webhooks for a push. The client is real git.
@Suite struct SandboxGitHTTPTests {
    @Test func anyoneFetchesOnlyAWriterPushesAndAPushRaisesPushAndSynchronize() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let receiver = try await SandboxWebhookTests.Receiver()
        defer { receiver.stop() }
        await sandbox.webhooks.configure(url: URL(string: "http://127.0.0.1:\(receiver.port)/hook"), secret: "sandbox-secret")
        await sandbox.state.addUser("carol", token: "ghp_carol_reads")
        await sandbox.state.setPermission("read", for: "carol", in: "acme/web")
        let folder = try TemporaryDirectory("sandbox-git-http")
        defer { folder.remove() }
        let work = folder.url.appendingPathComponent("web").path
        let cloneURL = "http://127.0.0.1:\(sandbox.port)/acme/web.git"
        func remote(_ token: String) -> String { "http://x-access-token:\(token)@127.0.0.1:\(sandbox.port)/acme/web.git" }
        let noPrompt = ["GIT_TERMINAL_PROMPT": "0"]

        // Anyone may clone a public repository.
        try await GitCLI.run(["clone", "--quiet", cloneURL, work], environment: noPrompt)
        #expect(try await GitCLI.run(["log", "--format=%s", "main"], in: work) == "Initial commit")
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: work + "/README.md"))
        try await GitCLI.run(["checkout", "--quiet", "-b", "feature"], in: work)
        try await GitCLI.run(["add", "README.md"], in: work)
        try await GitCLI.run(["commit", "--quiet", "-m", "Add a README"], in: work)
        let first = try await GitCLI.run(["rev-parse", "HEAD"], in: work)

        // Nobody signed in, and a reader, may not push; nothing reaches the repository.
        await #expect(throws: CommandFailed.self) { try await GitCLI.run(["push", "--quiet", cloneURL, "feature"], in: work, environment: noPrompt) }
        let refused = await #expect(throws: CommandFailed.self) {
            try await GitCLI.run(["push", "--quiet", remote("ghp_carol_reads"), "feature"], in: work, environment: noPrompt)
        }
        #expect(refused?.description.contains("403") == true, "\(String(describing: refused))")
        await #expect(throws: CommandFailed.self) {
            try await GitCLI.run(["push", "--quiet", remote("ghp_not_a_token"), "feature"], in: work, environment: noPrompt)
        }
        let bare = try #require(await sandbox.state.gitDirectory(of: "acme/web"))
        #expect(try await GitCLI.run(["--git-dir", bare.path, "branch", "--list", "feature"]).isEmpty)
        #expect(receiver.all.isEmpty)

        // A writer's push lands and raises `push` for the new branch.
        try await GitCLI.run(["push", "--quiet", remote(SandboxFixture.aliceToken), "feature"], in: work, environment: noPrompt)
        #expect(try await GitCLI.run(["--git-dir", bare.path, "rev-parse", "refs/heads/feature"]) == first)
        try await waitUntil(timeout: .seconds(10), "the push webhook") { receiver.all.count == 1 }
        let push = try #require(try JSONSerialization.jsonObject(with: receiver.all[0].body) as? [String: Any])
        #expect(push["ref"] as? String == "refs/heads/feature")
        #expect(push["after"] as? String == first)
        #expect(push["created"] as? Bool == true)
        let commits = try #require(push["commits"] as? [[String: Any]])
        #expect(commits.map { $0["message"] as? String } == ["Add a README"])
        #expect(commits.first?["added"] as? [String] == ["README.md"])

        // A pull request from the branch; a second push to it raises `push` and `synchronize`.
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let pull = try await alice.createPullRequest(
            title: "README",
            head: "feature",
            base: "main",
            body: nil,
            in: RepositoryRef(owner: "acme", name: "web")
        )
        try await waitUntil(timeout: .seconds(10), "the opened webhook") { receiver.all.count == 2 }
        try Data("hello again\n".utf8).write(to: URL(fileURLWithPath: work + "/README.md"))
        try await GitCLI.run(["commit", "--quiet", "-am", "Say it again"], in: work)
        let second = try await GitCLI.run(["rev-parse", "HEAD"], in: work)
        try await GitCLI.run(["push", "--quiet", remote(SandboxFixture.aliceToken), "feature"], in: work, environment: noPrompt)
        try await waitUntil(timeout: .seconds(10), "the push and synchronize webhooks") { receiver.all.count == 4 }
        let synchronize = try #require(try JSONSerialization.jsonObject(with: receiver.all[3].body) as? [String: Any])
        #expect(synchronize["before"] as? String == first)
        #expect(synchronize["after"] as? String == second)
        #expect(synchronize["number"] as? Int == pull.number)
        #expect((synchronize["pull_request"] as? [String: Any]).flatMap { ($0["head"] as? [String: Any])?["sha"] as? String } == second)
        #expect(
            ((receiver.all[2].body as Data?).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] })?["forced"] as? Bool == false
        )

        try SandboxWebhookTests().expectLikeTheRealOnes(
            receiver.all,
            [
                ("push", nil, "push/with-new-branch.payload.json", ["head_commit"]),
                ("pull_request", "opened", "pull_request/opened.payload.json", ["pull_request"]),
                ("push", nil, "push/payload.json", []),
                ("pull_request", "synchronize", "pull_request/synchronize.payload.json", ["pull_request"]),
            ]
        )
    }
}
