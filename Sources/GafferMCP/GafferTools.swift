import Foundation
import GafferAgents
import GafferCore
import GafferGitHub
import Logging
import MCP

/// The tools `gaffer mcp` offers, checked at start: names unique, each schema an object. Every call is logged
/// (tool, time taken, outcome; never its arguments, which may hold issue text).
public struct GafferTools: Sendable {
    public let tools: [any GafferTool]
    private let byName: [String: any GafferTool]
    let logger: Logger

    public init(_ tools: [any GafferTool], logger: Logger = Logger(label: "gaffer.mcp")) throws(ToolRegistryError) {
        var byName: [String: any GafferTool] = [:]
        for tool in tools {
            guard byName[tool.name] == nil else { throw ToolRegistryError(description: "two tools are named \(tool.name)") }
            guard tool.inputSchema["type"] == "object" else { throw ToolRegistryError(description: "\(tool.name)'s input schema is not an object") }
            byName[tool.name] = tool
        }
        self.tools = tools
        self.byName = byName
        self.logger = logger
    }

    /// The read-only tools, over what Gaffer keeps: parsing, offline plans, the registry, the knowledge base, a task's status.
    public static func readOnly(
        parser: IssueParser,
        coordinator: Coordinator,
        registry: any RegistryReading,
        knowledge: any KnowledgeStore,
        plans: any PlanStore,
        spend: any ModelSpendStore,
        logger: Logger = Logger(label: "gaffer.mcp")
    ) throws(ToolRegistryError) -> GafferTools {
        try GafferTools(
            [
                ParseIssueTool(parser: parser),
                PlanTaskTool(parser: parser, coordinator: coordinator),
                RegistryTool(registry: registry),
                KnowledgeSearchTool(knowledge: knowledge),
                TaskStatusTool(plans: plans, spend: spend),
            ],
            logger: logger
        )
    }

    /// The tools that write to GitHub as the user `github` is signed in as, for an operator who enables them
    /// (`mcp_write_tools`): opening a task issue and commenting a command, never more than that user could do.
    public static func writing(parser: IssueParser, github: GitHubClient, botLogin: String) -> [any GafferTool] {
        [OpenTaskIssueTool(parser: parser, github: github), CommentCommandTool(github: github, parser: CommandParser(botLogin: botLogin))]
    }

    /// The tools as MCP lists them; a read-only tool says so.
    public var listed: [Tool] {
        tools.map { tool in
            Tool(
                name: tool.name,
                description: tool.description,
                inputSchema: Self.value(tool.inputSchema),
                annotations: Tool.Annotations(readOnlyHint: tool.readOnly, openWorldHint: false)
            )
        }
    }

    /// Runs a call: the answer as JSON text (and structured), or an error result saying what is wrong.
    public func call(_ name: String, arguments: [String: Value]?) async -> CallTool.Result {
        let started = ContinuousClock.now
        guard let tool = byName[name] else {
            return CallTool.Result(
                content: [Self.text("no tool is named \(name); the tools are \(tools.map(\.name).joined(separator: ", "))")],
                isError: true
            )
        }
        var outcome = "ok"
        defer {
            logger.info(
                "mcp tool call",
                metadata: [
                    "tool": "\(name)", "outcome": "\(outcome)", "ms": "\(String(format: "%.2f", Self.milliseconds(ContinuousClock.now - started)))",
                ]
            )
        }
        do {
            var input: [String: JSONValue] = [:]
            for (key, value) in arguments ?? [:] { input[key] = try Self.json(value) }
            let answer = try await tool.call(input)
            let text = String(decoding: answer.serialized(), as: UTF8.self)
            // MCP's structured content is an object; a list is given as text only.
            let structured: Value? = if case .object = answer { Self.value(answer) } else { nil }
            return CallTool.Result(content: [Self.text(text)], structuredContent: structured, isError: false)
        } catch let error as ToolInputError {
            outcome = "bad input"
            return CallTool.Result(content: [Self.text("\(name): \(error)")], isError: true)
        } catch {
            outcome = "failed"
            return CallTool.Result(content: [Self.text("\(name) failed: \(error)")], isError: true)
        }
    }

    static func text(_ text: String) -> Tool.Content { .text(text: text, annotations: nil, _meta: nil) }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// Gaffer's JSON as MCP's, value by value (no text in between: this is on every call's path).
    static func value(_ json: JSONValue) -> Value {
        switch json {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number):
            if let whole = json.intValue { .int(whole) } else { .double(NSDecimalNumber(decimal: number).doubleValue) }
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(value))
        case .object(let fields): .object(fields.mapValues(value))
        }
    }

    static func json(_ value: Value) throws -> JSONValue {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .number(Decimal(number))
        case .double(let number): .number(Decimal(number))
        case .string(let text): .string(text)
        case .array(let items): .array(try items.map(json))
        case .object(let fields): .object(try fields.mapValues(json))
        case .data: throw ToolInputError("binary arguments are not accepted; send text")
        }
    }
}

public struct ToolRegistryError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// An MCP server with Gaffer's tools on it.
public enum GafferMCPServer {
    public static func make(tools: GafferTools) async -> Server {
        let server = Server(
            name: "gaffer",
            version: GafferVersion.current,
            instructions:
                "Gaffer does AWS work asked for in GitHub issues. These tools read what Gaffer knows and plan offline; none of them changes AWS or GitHub.",
            capabilities: .init(tools: .init(listChanged: false))
        )
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools.listed) }
        await server.withMethodHandler(CallTool.self) { params in await tools.call(params.name, arguments: params.arguments) }
        return server
    }
}
