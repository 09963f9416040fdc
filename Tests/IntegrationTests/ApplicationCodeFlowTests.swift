import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferSandbox
import GafferTestSupport
import Synchronization
import Testing

/// An application issue that asks for behaviour beyond its blueprint, through the real Gaffer, the GitHub sandbox,
/// the model sandbox and the real pipeline: the step stops at the task's model budget with its work on the branch
/// and no pull request; a person commits to the branch; after the cap is raised, `/retry` goes on from the branch
/// and opens the pull request once the application's tests pass.
struct ApplicationCodeFlowTests {
    typealias RunningGaffer = GitHubFlowTests.RunningGaffer

    static func uses(_ list: (String, JSONValue)..., outputTokens: Int = 400) -> ModelSandbox.Answer {
        .turn(
            ScriptedTurn(
                toolUses: list.map { ScriptedTurn.ToolUse(id: "toolu_\(UUID().uuidString.prefix(8))", name: $0.0, input: $0.1) },
                inputTokens: 3_000,
                outputTokens: outputTokens
            )
        )
    }

    static func write(_ path: String, _ content: String) -> (String, JSONValue) {
        ("write_file", ["path": .string(path), "content": .string(content)])
    }

    static let unsorted = "def by_owner(items, owner):\n    return [item for item in items if item.get(\"owner\") == owner]\n"
    static let sorted =
        "def by_owner(items, owner):\n    return sorted((item for item in items if item.get(\"owner\") == owner), key=lambda item: item[\"id\"])\n"
    static let test = """
        from api.by_owner import by_owner


        def test_by_owner_sorts_by_id():
            items = [{"id": "b", "owner": "ann"}, {"id": "a", "owner": "ann"}, {"id": "c", "owner": "bob"}]
            assert [item["id"] for item in by_owner(items, "ann")] == ["a", "b"]

        """

    @Test func aStepStoppedAtTheBudgetLeavesItsWorkOnTheBranchAndRetryGoesOnFromIt() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let models = try await ModelSandboxFixture()
        defer { Task { await models.stop() } }
        // The first call costs nearly all of its worst case (8,000 output tokens), so a second does not fit under $0.20.
        models.sandbox.enqueue(Self.uses(Self.write("api/by_owner.py", Self.unsorted), outputTokens: 8_000))
        let gaffer = try await RunningGaffer(sandbox, configure: models.configure(.deployment, budgetUSD: 0.2))
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let issue = try await sandbox.openIssue(
            "Deploy a serverless-api application named shop in us-east-1",
            body: "behaviour: add an endpoint that lists items by owner, sorted by id",
            as: alice
        )
        func status() async throws -> String {
            try await sandbox.gafferComments("status", on: issue.number, as: alice).first?.body ?? ""
        }
        try await waitUntil(timeout: .seconds(300), "the unfinished step's status") { try await status().contains("unfinished, on branch") }
        try await gaffer.settle()
        let unfinished = try await status()
        #expect(unfinished.contains("model_budget_task_usd"), "\(unfinished)")
        #expect(unfinished.contains("`api/by_owner.py`") && unfinished.contains("/retry"))
        let branch = try #require(unfinished.firstMatch(of: /on branch `([^`]+)`/).map { String($0.1) })
        #expect(branch.hasPrefix("gaffer/\(issue.number)-"))
        #expect(try await alice.pullRequests(head: branch, in: repository).isEmpty, "unproven code is never a pull request")
        #expect(models.sandbox.received.count == 1)

        // A person looks at the branch and commits to it.
        let path = "infra/gaffer-app-serverless-api-shop/api/by_owner.py"
        let onBranch = Mutex("")
        _ = try await sandbox.push(to: branch, path: path) { text in
            onBranch.withLock { $0 = text }
            return text + "# alice: sort these by id\n"
        }
        #expect(onBranch.withLock { $0 } == Self.unsorted, "the model's work is on the branch")

        // The operator raises the cap; /retry goes on from the branch, the person's commit included.
        await gaffer.stopKeepingData()
        let code = models.configure(.deployment, budgetUSD: 2)
        let review = models.configure(.review, budgetUSD: 2)
        let raised = try await RunningGaffer(sandbox, directory: gaffer.directory) { configuration in
            code(&configuration)
            review(&configuration)
        }
        defer { raised.stop() }
        models.sandbox.enqueue(
            Self.uses(("read_file", ["path": "api/by_owner.py"])),
            Self.uses(Self.write("api/by_owner.py", Self.sorted), Self.write("tests/test_by_owner.py", Self.test)),
            Self.uses(("finish", ["summary": "by_owner sorts by id"]))
        )
        _ = try await alice.createComment(onIssue: issue.number, in: repository, body: "/retry")
        try await waitUntil(timeout: .seconds(300), "the pull request once the tests pass") {
            try await !alice.pullRequests(head: branch, in: repository).isEmpty
        }
        try await raised.settle()
        #expect(models.sandbox.refusals.isEmpty, "\(models.sandbox.refusals)")
        let received = models.sandbox.received
        #expect(received.count == 4)
        let opening = String(decoding: try #require(received.dropFirst().first).body.serialized(), as: UTF8.self)
        #expect(opening.contains("already changed: api/by_owner.py"))
        let read = String(decoding: try #require(received.dropFirst(2).first).body.serialized(), as: UTF8.self)
        #expect(read.contains("# alice: sort these by id"), "the model read the person's commit")
        let planned = try await status()
        #expect(planned.contains("pull request #"), "\(planned)")
        let body = try #require(try await alice.pullRequests(head: branch, in: repository).first?.body)
        #expect(body.contains("### Written by a model") && body.contains("`api/by_owner.py`, `tests/test_by_owner.py`"), "\(body)")
        #expect(body.contains("3 tests pass"))

        // A follow-up on the pull request asks for more code: the review model reads it as a code change, and the
        // code loop goes on from the branch with it, on the same pull request, proven by the tests again.
        let pull = try #require(try await alice.pullRequests(head: branch, in: repository).first)
        models.sandbox.enqueue(
            Self.uses(("change_task", ["action": "code", "code_change": "Add by_tag(items, tag), which lists the items with that tag."])),
            Self.uses(
                Self.write("api/by_tag.py", "def by_tag(items, tag):\n    return [item for item in items if tag in item.get(\"tags\", [])]\n"),
                Self.write(
                    "tests/test_by_tag.py",
                    "from api.by_tag import by_tag\n\n\ndef test_by_tag():\n    assert by_tag([{\"tags\": [\"x\"]}, {}], \"x\") == [{\"tags\": [\"x\"]}]\n"
                )
            ),
            Self.uses(("finish", ["summary": "by_tag added"]))
        )
        _ = try await alice.createComment(onIssue: pull.number, in: repository, body: "@gaffer can it also list the items by tag?")
        try await waitUntil(timeout: .seconds(300), "the follow-up's reply") {
            try await alice.comments(onIssue: pull.number, in: repository).contains { $0.body?.contains("### Changed on the task") == true }
        }
        try await raised.settle()
        #expect(models.sandbox.refusals.isEmpty, "\(models.sandbox.refusals)")
        let head = try await alice.pullRequest(pull.number, in: repository).head
        #expect(head.sha != pull.head.sha)
        #expect(
            try await alice.fileText("infra/gaffer-app-serverless-api-shop/api/by_tag.py", ref: branch, in: repository)?.contains("def by_tag")
                == true
        )
        #expect(
            try await alice.fileText("infra/gaffer-app-serverless-api-shop/api/by_owner.py", ref: branch, in: repository)?.contains("sorted(")
                == true,
            "earlier work kept"
        )
        let loop = String(decoding: try #require(models.sandbox.received.dropFirst(5).first).body.serialized(), as: UTF8.self)
        #expect(loop.contains("Asked for on the pull request by alice: Add by_tag"), "the code model got the change as its request")
        #expect(try await alice.pullRequests(head: branch, in: repository).count == 1)
        let proven = try await alice.pullRequest(pull.number, in: repository).body ?? ""
        #expect(proven.contains("`api/by_tag.py`") && proven.contains("4 tests pass"), "the tests decided, again: \(proven)")
        let reply = try #require(
            try await alice.comments(onIssue: pull.number, in: repository).last { $0.body?.contains("### Changed on the task") == true }?.body
        )
        #expect(reply.contains("| `behaviour` |") && reply.contains(String(head.sha.prefix(12))), "\(reply)")
    }
}
