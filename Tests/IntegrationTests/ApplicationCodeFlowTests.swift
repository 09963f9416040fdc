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
        let raised = try await RunningGaffer(sandbox, directory: gaffer.directory, configure: models.configure(.deployment, budgetUSD: 2))
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
    }
}
