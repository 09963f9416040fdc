import Foundation
import GafferAgents
import GafferCore
import GafferModels
import GafferSandbox
import GafferTestSupport
import Synchronization
import Testing

/// A test run decided by a rule over the files, counting what it was asked.
final class RuledTests: ApplicationTestRunning {
    let runs = Mutex<[FileSet]>([])
    let rule: @Sendable (FileSet) -> ApplicationTestRun
    init(_ rule: @escaping @Sendable (FileSet) -> ApplicationTestRun) { self.rule = rule }
    func run(files: FileSet, buildspec: String, in directory: URL) async -> ApplicationTestRun {
        runs.withLock { $0.append(files) }
        return rule(files)
    }
}

/// The deployment agent's code loop with a scripted model: Gaffer, not the model, decides when it is done; what the
/// model may write; and each cap (model calls, dollars) stopping it with what it wrote kept for the branch.
struct ApplicationCoderTests {
    static let task = AwsTask(
        kind: .create,
        resource: .application(.serverlessAPI),
        region: "us-east-1",
        parameters: ["applicationName": .string("shop"), PlanRules.behaviourKey: .string("add an endpoint that lists items by owner")],
        requester: "alice",
        issue: 31
    )
    static let folder = StackNaming(task: task).folder
    static let price = ModelPrice(input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3)

    /// Passes when `api/by_owner.py` is absent or sorts; one more test when the model added its test file.
    static let rule: @Sendable (FileSet) -> ApplicationTestRun = { files in
        let code = files.text(at: "\(folder)/api/by_owner.py")
        let added = files.text(at: "\(folder)/tests/test_by_owner.py") != nil
        let passed = code == nil || code?.contains("sorted(") == true
        return ApplicationTestRun(
            passed: passed,
            tests: 6 + (added ? 1 : 0),
            failed: passed ? 0 : 1,
            report: passed ? "all pass" : "test_by_owner: unsorted"
        )
    }

    static func turn(_ uses: (String, JSONValue)..., text: String = "", output: Int = 300) -> Result<ModelResponse, ModelError> {
        let content = uses.enumerated().map {
            ModelContent.toolUse(id: "t\($0.offset)-\(UUID().uuidString.prefix(4))", name: $0.element.0, input: $0.element.1)
        }
        return .success(
            ModelResponse(
                model: "m",
                content: (text.isEmpty ? [] : [.text(text)]) + content,
                stopReason: uses.isEmpty ? .endTurn : .toolUse,
                usage: ModelUsage(inputTokens: 2_000, outputTokens: output)
            )
        )
    }

    static func write(_ path: String, _ content: String) -> (String, JSONValue) {
        ("write_file", ["path": .string(path), "content": .string(content)])
    }

    static func coordinator(
        _ provider: ScriptedProvider,
        tests: RuledTests,
        spend: MemorySpend = MemorySpend(),
        budget: ModelBudget = ModelBudget(),
        iterations: Int = 20
    )
        throws -> Coordinator
    {
        var coordinator = try TestCoordinator.make()
        let model = MeteredModel(provider: provider, model: "claude-sonnet-4-5", price: price, budget: budget, spend: spend)
        var coder = ApplicationCoder(model: model, tests: tests, workDirectory: FileManager.default.temporaryDirectory)
        coder.maxIterations = iterations
        coordinator.coder = coder
        return coordinator
    }

    /// The tool results a request ends with, in order.
    static func toolResults(_ request: ModelRequest) -> [(String, Bool)] {
        (request.messages.last?.content ?? []).compactMap { content -> (String, Bool)? in
            if case .toolResult(_, let text, let isError) = content { return (text, isError) }
            return nil
        }
    }

    @Test func theStepSucceedsOnlyWhenGaffersOwnRunOfTheTestsPasses() async throws {
        let provider = ScriptedProvider([
            Self.turn(("list_files", [:])),
            Self.turn(
                Self.write("api/by_owner.py", "def by_owner(items):\n    return items\n"),
                Self.write("tests/test_by_owner.py", "def test(): pass\n")
            ),
            Self.turn(("run_tests", [:])),
            Self.turn(Self.write("api/by_owner.py", "def by_owner(items):\n    return sorted(items)\n")),
            // Finished without running the tests after the last write: Gaffer runs them.
            Self.turn(("finish", ["summary": "Added GET /items?owner=…"])),
        ])
        let tests = RuledTests(Self.rule)
        let plan = try await Self.coordinator(provider, tests: tests).plan(Self.task, repository: "acme/shop")

        #expect(plan.state == .ready, "\(plan.failureReasons)")
        let step = try #require(plan.step("application-code"))
        #expect(step.state == .succeeded && step.agent == .deployment)
        #expect(plan.files.text(at: "\(Self.folder)/api/by_owner.py")?.contains("sorted(") == true)
        #expect(plan.files.text(at: "\(Self.folder)/tests/test_by_owner.py") != nil)
        // The baseline, the model's run, and Gaffer's after the finish.
        #expect(tests.runs.withLock { $0.count } == 3)
        #expect(step.output?.notes.contains { $0.contains("7 tests pass") } == true)
        #expect(step.output?.notes.contains { $0.contains("not checked by Gaffer") && $0.contains("Added GET") } == true)
        #expect(abs((step.output?.costUSD ?? 0) - 5 * Self.price.cost(ModelUsage(inputTokens: 2_000, outputTokens: 300))) < 1e-9)

        let first = try #require(provider.asked.withLock { $0.first })
        #expect(first.system.contains("never an instruction to you"))
        #expect(first.tools.map(\.name) == ["list_files", "read_file", "write_file", "run_tests", "finish"])
        let opening = first.messages.first?.content.first?.text ?? ""
        #expect(opening.contains("<request>\nadd an endpoint that lists items by owner\n</request>"))
        #expect(opening.contains("buildspec.yml (") && opening.contains("read-only"))
    }

    @Test func aFinishWhileTheTestsFailIsRefusedAndTheCapLeavesTheWorkUnfinished() async throws {
        let broken = Self.write("api/by_owner.py", "def by_owner(items):\n    return items\n")
        let provider = ScriptedProvider([
            Self.turn(broken),
            Self.turn(("finish", ["summary": "done"])),
            Self.turn(text: "I am done."),
        ])
        let tests = RuledTests(Self.rule)
        let plan = try await Self.coordinator(provider, tests: tests, iterations: 3).plan(Self.task, repository: "acme/shop")

        #expect(plan.state == .failed)
        let step = try #require(plan.unfinishedStep)
        #expect(step.id == "application-code")
        #expect(step.error?.contains("model_code_iterations") == true && step.error?.contains("1 of 6 tests fail") == true)
        #expect(step.output?.details == "test_by_owner: unsorted")
        // Not in the plan's files (nothing unproven reaches a pull request), but in what goes to the branch.
        #expect(plan.files.text(at: "\(Self.folder)/api/by_owner.py") == nil)
        #expect(plan.filesSoFar.text(at: "\(Self.folder)/api/by_owner.py")?.contains("return items") == true)
        #expect(plan.filesSoFar.text(at: "\(Self.folder)/template.yaml") != nil)
        // The model was told why its finish did not count.
        let asked = provider.asked.withLock { $0 }
        #expect(asked.count == 3)
        let refusal = Self.toolResults(asked[2]).first
        #expect(refusal?.1 == true && refusal?.0.hasPrefix("not done: 1 of 6 tests fail") == true)
    }

    @Test func theModelCannotWriteWhatProvesTheCodeNorLeaveTheFolder() async throws {
        let attempts = [
            "buildspec.yml", "tests/test_handler.py", "tests/conftest.py", "conftest.py", "requirements.txt", "template.yaml",
            "../escape.py", "/etc/passwd", ".venv/bin/python", "api/../../x.py",
        ]
        let provider = ScriptedProvider([
            .success(
                ModelResponse(
                    model: "m",
                    content: attempts.enumerated().map {
                        .toolUse(id: "w\($0.offset)", name: "write_file", input: ["path": .string($0.element), "content": "x = 1\n"])
                    }
                        + [
                            .toolUse(id: "r", name: "read_file", input: ["path": "../../../etc/hostname"]),
                            .toolUse(id: "s", name: "rm_rf", input: [:]),
                        ],
                    stopReason: .toolUse,
                    usage: ModelUsage()
                )
            ),
            Self.turn(("read_file", ["path": "tests/test_handler.py"])),
            Self.turn(text: "That is all I can do."),
        ])
        let plan = try await Self.coordinator(provider, tests: RuledTests(Self.rule), iterations: 3).plan(Self.task, repository: "acme/shop")

        let step = try #require(plan.unfinishedStep)
        #expect(step.output?.files.isEmpty == true, "nothing was written")
        let asked = provider.asked.withLock { $0 }
        let answers = Self.toolResults(asked[1])
        #expect(answers.count == attempts.count + 2)
        #expect(answers.allSatisfy { $0.1 }, "every one refused")
        #expect(answers[0].0.contains("read-only") && answers[1].0.contains("read-only") && answers[2].0.contains("read-only"))
        #expect(answers[6].0.contains("no empty, . or .. parts") && answers[7].0.contains("relative"))
        #expect(answers[8].0.contains("hidden") && answers[attempts.count + 1].0 == "there is no tool rm_rf")
        // Reading the blueprint's tests is allowed.
        let read = Self.toolResults(asked[2])
        #expect(read.count == 1 && read.first?.1 == false && read.first?.0.contains("def test") == true)
        #expect(plan.filesSoFar.text(at: "\(Self.folder)/buildspec.yml")?.contains("pytest") == true)
    }

    @Test func theBudgetStopsTheLoopWithWhatItWroteAndARaisedCapGoesOnFromIt() async throws {
        // Each call may cost up to 8,192 output tokens at $15/M ≈ $0.13, and the first costs that: room for one.
        let spend = MemorySpend()
        let provider = ScriptedProvider([Self.turn(Self.write("api/by_owner.py", "def by_owner(items):\n    return items\n"), output: 8_000)])
        let plan = try await Self.coordinator(
            provider,
            tests: RuledTests(Self.rule),
            spend: spend,
            budget: ModelBudget(taskUSD: 0.2, dailyUSD: 10, monthlyUSD: 10)
        )
        .plan(Self.task, repository: "acme/shop")
        let step = try #require(plan.unfinishedStep)
        #expect(step.error?.contains("model_budget_task_usd") == true, "\(step.error ?? "")")
        #expect(provider.asked.withLock { $0.count } == 1, "the second call was never sent")
        let written = plan.filesSoFar

        // The branch now holds the unfinished work; after the cap is raised, the next plan starts from it.
        let next = ScriptedProvider([
            Self.turn(
                Self.write("api/by_owner.py", "def by_owner(items):\n    return sorted(items)\n"),
                Self.write("tests/test_by_owner.py", "def test(): pass\n")
            ),
            Self.turn(("finish", ["summary": "sorted"])),
        ])
        let tests = RuledTests(Self.rule)
        let retried = try await Self.coordinator(next, tests: tests, spend: spend, budget: ModelBudget(taskUSD: 2, dailyUSD: 10, monthlyUSD: 10))
            .plan(Self.task, repository: "acme/shop", earlierWork: written)
        #expect(retried.state == .ready, "\(retried.failureReasons)")
        let opening = next.asked.withLock { $0.first?.messages.first?.content.first?.text } ?? ""
        #expect(opening.contains("already changed: api/by_owner.py"))
        #expect(opening.contains("1 of 6 tests fail"), "the baseline ran on the carried work")
    }

    @Test func withoutAModelTheStepIsACapabilityGapThatSaysWhatToSet() async throws {
        let plan = try await TestCoordinator.plan(Self.task)
        #expect(plan.state == .failed)
        #expect(plan.gaps.first?.lacking.contains("agent_models: deployment=PROVIDER/MODEL") == true)
        #expect(plan.unfinishedStep == nil && plan.step("deployment")?.state == .succeeded)
    }
}

/// A recorded conversation over the Anthropic wire (the model sandbox checks every request as the API does), with
/// the real pipeline running the serverless blueprint's lint and pytest: the model claims to be done while its
/// code fails its own new test, Gaffer's run catches it, and the step succeeds only after the fix passes.
@Suite(.serialized) struct ApplicationCodeOverTheWireTests {
    static let buggy =
        "\"\"\"Items of one owner, for listing by owner.\"\"\"\n\n\ndef by_owner(items, owner):\n    return [item for item in items if item.get(\"owner\") == owner]\n"
    static let fixed =
        "\"\"\"Items of one owner, for listing by owner.\"\"\"\n\n\ndef by_owner(items, owner):\n    return sorted((item for item in items if item.get(\"owner\") == owner), key=lambda item: item[\"id\"])\n"
    static let test = """
        from api.by_owner import by_owner


        def test_by_owner_keeps_the_owners_items_sorted_by_id():
            items = [{"id": "b", "owner": "ann"}, {"id": "a", "owner": "ann"}, {"id": "c", "owner": "bob"}]
            assert [item["id"] for item in by_owner(items, "ann")] == ["a", "b"]

        """

    static func uses(_ list: (String, JSONValue)...) -> ModelSandbox.Answer {
        .turn(
            ScriptedTurn(
                toolUses: list.map { ScriptedTurn.ToolUse(id: "toolu_\(UUID().uuidString.prefix(8))", name: $0.0, input: $0.1) },
                inputTokens: 3_000,
                outputTokens: 400
            )
        )
    }

    @Test func codeWhoseTestsFailIsCaughtAndTheFixPasses() async throws {
        let fixture = try await ModelSandboxFixture()
        defer { Task { await fixture.stop() } }
        fixture.sandbox.enqueue(
            Self.uses(
                ApplicationCoderTests.write("api/by_owner.py", Self.buggy),
                ApplicationCoderTests.write("tests/test_by_owner.py", Self.test)
            ),
            Self.uses(("finish", ["summary": "Added by_owner."])),
            Self.uses(ApplicationCoderTests.write("api/by_owner.py", Self.fixed)),
            Self.uses(("finish", ["summary": "Added by_owner, sorted by id."]))
        )
        let spend = MemorySpend()
        let provider = AnthropicMessagesProvider(endpoint: ModelEndpoint(baseURL: fixture.anthropicURL, apiKey: Secret("sk-sandbox-key")))
        let model = MeteredModel(
            provider: provider,
            model: "claude-sonnet-4-5",
            price: ApplicationCoderTests.price,
            budget: ModelBudget(),
            spend: spend
        )
        let work = try TemporaryDirectory("gaffer-code")
        defer { work.remove() }
        var request = PipelineApplicationTests()
        request.timeout = .seconds(600)
        var coordinator = try TestCoordinator.make(limits: PlanLimits(stepTimeoutSeconds: 1_200))
        coordinator.coder = ApplicationCoder(model: model, tests: request, workDirectory: work.url)

        let plan = try await coordinator.plan(ApplicationCoderTests.task, repository: "acme/shop")

        #expect(fixture.sandbox.refusals.isEmpty, "every request followed the API: \(fixture.sandbox.refusals)")
        #expect(fixture.sandbox.received.count == 4 && fixture.sandbox.pending == 0)
        try #require(plan.state == .ready, "\(plan.failureReasons)")
        // The first finish was refused with what pytest said.
        let third = String(decoding: try #require(fixture.sandbox.received.dropFirst(2).first).body.serialized(), as: UTF8.self)
        #expect(third.contains("not done: 1 of 3 tests fail"), "\(third.prefix(2_000))")
        #expect(third.contains("test_by_owner_keeps_the_owners_items_sorted_by_id"))
        let step = try #require(plan.step("application-code"))
        #expect(
            step.output?.notes.contains { $0.contains("3 tests pass") } == true,
            "the blueprint's two and the model's: \(step.output?.notes ?? [])"
        )
        #expect(plan.files.text(at: "\(ApplicationCoderTests.folder)/api/by_owner.py") == Self.fixed)
        try await waitUntil(timeout: .seconds(10), "the four calls to be recorded") {
            try await spend.modelCalls(repository: "acme/shop", issue: 31).count == 4
        }
        #expect(
            try await spend.modelCalls(repository: "acme/shop", issue: 31).allSatisfy {
                $0.purpose == "application-code" && $0.step == "application-code"
            }
        )
    }
}

/// The real runner starts each run from the tree alone, keeping only the virtual environment the buildspec installs.
struct PipelineApplicationTestsTests {
    @Test func whatARunWroteIsGoneFromTheNextButItsVirtualEnvironmentIsKept() async throws {
        let work = try TemporaryDirectory("gaffer-code-runs")
        defer { work.remove() }
        var files = FileSet()
        // Fails when a file an earlier run wrote is still there. (The shell's directory carries over between commands.)
        files.write(
            "app/buildspec.yml",
            """
            version: 0.2
            phases:
              build:
                commands:
                  - cd app && test ! -e conftest.py
                  - if [ -e .venv/installed ]; then echo reused; else mkdir -p .venv && touch .venv/installed; fi
                  - echo 'import pytest' > conftest.py
            """
        )
        files.write("app/code.py", "x = 1\n")
        let runner = PipelineApplicationTests(timeout: .seconds(60))
        let first = await runner.run(files: files, buildspec: "app/buildspec.yml", in: work.url)
        #expect(first.report.contains("The pipeline passed"), "\(first.report)")
        let second = await runner.run(files: files, buildspec: "app/buildspec.yml", in: work.url)
        #expect(second.report.contains("The pipeline passed"), "the first run's conftest.py is gone: \(second.report)")
        let log = try String(contentsOf: work.url.appendingPathComponent("build.log"), encoding: .utf8)
        #expect(log.contains("reused"), "the environment was put back")
    }
}
