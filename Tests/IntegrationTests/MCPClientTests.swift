import Foundation
import GafferAgents
import GafferCore
import GafferMCP
import GafferModels
import GafferTestSupport
import Logging
import Synchronization
import Testing

/// Gaffer's agents using tools of another MCP server, a Python one (`scripts/mcp/house_rules_server.py`, the Python
/// MCP SDK) started by the test: only the allowed tools are offered, the server gets none of Gaffer's environment,
/// and the deployment agent's model uses a tool's answer as data.
@Suite(.serialized) struct MCPClientTests {
    static let server = Conformance.packageRoot.appendingPathComponent("scripts/mcp/house_rules_server.py").path
    static let stdio = MCPServerSpec(
        name: "house",
        transport: .stdio([MCPServerTests.python, server]),
        allowed: ["naming_rule", "environment_names"]
    )

    @Test func onlyTheAllowedToolsOfAStdioServerAreOfferedAndItSeesNoneOfGaffersEnvironment() async throws {
        let session = await MCPClientTools(servers: [Self.stdio]).open(logger: Logger(label: "test"))
        #expect(session.tools.map(\.name).sorted() == ["house__environment_names", "house__naming_rule"])
        #expect(session.tools.allSatisfy { $0.description.hasPrefix("From the MCP server house, not Gaffer:") })
        #expect(session.tools.first { $0.name == "house__naming_rule" }?.inputSchema["properties"]?["kind"]?["type"] == "string")

        let rule = await session.call("house__naming_rule", input: ["kind": "function"])
        #expect(rule.text == "Functions that list by a field are named list_by_<field>, and sort by id." && !rule.isError)
        let names = await session.call("house__environment_names", input: [:])
        #expect(Set(names.text.components(separatedBy: ", ")).isSubset(of: ["PATH", "HOME", "LANG", "LC_CTYPE"]), "\(names.text)")
        let refused = await session.call("house__deploy_now", input: ["stack": "prod"])
        #expect(refused.isError && refused.text == "there is no tool house__deploy_now")
        await session.close()
    }

    @Test func aServerThatCannotStartIsLeftOutAndTheStepGoesOn() async throws {
        let missing = MCPServerSpec(name: "gone", transport: .stdio(["/nonexistent/mcp-server"]), allowed: ["x"])
        let session = await MCPClientTools(servers: [missing, Self.stdio]).open(logger: Logger(label: "test"))
        #expect(session.tools.map(\.name).sorted() == ["house__environment_names", "house__naming_rule"])
        await session.close()
    }

    @Test func aStreamableHTTPServersAllowedToolsAreOfferedToo() async throws {
        let port = try unusedPort()
        let process = try ServerProcess(MCPServerTests.python, [Self.server, "--http", String(port)])
        defer { process.stop() }
        let spec = MCPServerSpec(
            name: "house",
            transport: .http(try #require(URL(string: "http://127.0.0.1:\(port)/mcp"))),
            allowed: ["naming_rule"]
        )
        try await process.waitForPort(port, what: "the Python MCP server")
        let session = await MCPClientTools(servers: [spec]).open(logger: Logger(label: "test"))
        #expect(session.tools.map(\.name) == ["house__naming_rule"])
        let rule = await session.call("house__naming_rule", input: ["kind": "endpoint"])
        #expect(rule.text == "Listing endpoints take the field as a query parameter.", "\(rule)")
        await session.close()
    }

    /// The deployment agent's model asks the house rules, and its answer comes back as a tool's result.
    @Test func theDeploymentAgentsModelUsesAnAllowedToolAsData() async throws {
        let write: JSONValue = ["path": "api/by_owner.py", "content": "def list_by_owner(items, owner):\n    return sorted(items)\n"]
        let provider = ScriptedProvider([
            .success(
                ModelResponse(
                    model: "m",
                    content: [
                        .toolUse(id: "a", name: "house__naming_rule", input: ["kind": "function"]),
                        .toolUse(id: "b", name: "house__deploy_now", input: ["stack": "prod"]),
                    ],
                    stopReason: .toolUse,
                    usage: ModelUsage()
                )
            ),
            .success(
                ModelResponse(model: "m", content: [.toolUse(id: "c", name: "write_file", input: write)], stopReason: .toolUse, usage: ModelUsage())
            ),
            .success(ModelResponse(model: "m", content: [.text("Done.")], stopReason: .endTurn, usage: ModelUsage())),
        ])
        let model = MeteredModel(provider: provider, model: "m", price: ModelPrice(input: 1, output: 1), budget: ModelBudget(), spend: MemorySpend())
        let work = try TemporaryDirectory("gaffer-mcp-client")
        defer { work.remove() }
        var coder = ApplicationCoder(model: model, tests: PassingTests(), workDirectory: work.url)
        coder.external = MCPClientTools(servers: [Self.stdio])
        var coordinator = Coordinator(
            agents: try AgentRegistry(StandardAgents.all),
            templates: try TemplateLibrary.shipped(),
            settings: AgentSettings(prices: try PriceTable.shipped(TemplateLibrary.shipped())),
            store: InMemoryPlanStore()
        )
        coordinator.coder = coder
        let task = AwsTask(
            kind: .create,
            resource: .application(.serverlessAPI),
            region: "us-east-1",
            parameters: ["applicationName": .string("shop"), "behaviour": .string("list items by owner, as the house rules say")],
            issue: 4
        )
        let plan = try await coordinator.plan(task, repository: "acme/shop")
        #expect(plan.state == .ready, "\(plan.failureReasons)")

        let asked = provider.asked.withLock { $0 }
        #expect(asked.first?.tools.map(\.name).contains("house__naming_rule") == true)
        #expect(asked.first?.tools.map(\.name).contains("house__deploy_now") == false)
        let results = (asked.dropFirst().first?.messages.last?.content ?? []).compactMap { content -> (String, Bool)? in
            if case .toolResult(_, let text, let isError) = content { return (text, isError) }
            return nil
        }
        #expect(results.first?.0 == "Functions that list by a field are named list_by_<field>, and sort by id." && results.first?.1 == false)
        #expect(results.last?.0 == "there is no tool house__deploy_now" && results.last?.1 == true)
        // Gaffer's instructions are its own: the tool's answer is only ever a tool result.
        #expect(asked.allSatisfy { !$0.system.contains("list_by_") })
    }
}

/// Tests that pass, with one more test once a file under tests/ is added: enough for the loop to finish.
struct PassingTests: ApplicationTestRunning {
    func run(files: FileSet, buildspec: String, in directory: URL) async -> ApplicationTestRun {
        ApplicationTestRun(passed: true, tests: 2, failed: 0, report: "2 passed")
    }
}
