import Foundation
import GafferAgents
import GafferCore
import GafferModels
import GafferProcess
import Glibc
import Logging
import MCP
import SystemPackage

/// An MCP server the operator lists for Gaffer's agents, and the tools of it they may use.
public struct MCPServerSpec: Sendable, Hashable {
    public enum Transport: Sendable, Hashable {
        /// A program Gaffer starts for each step and talks to over its standard input and output.
        case stdio([String])
        /// A streamable-HTTP endpoint.
        case http(URL)
    }

    /// Lowercase letters, digits and hyphens: it prefixes the tools' names (`name__tool`).
    public var name: String
    public var transport: Transport
    /// Only these tools are offered to a model; a server's other tools are never listed to it.
    public var allowed: Set<String>

    public init(name: String, transport: Transport, allowed: Set<String>) {
        self.name = name
        self.transport = transport
        self.allowed = allowed
    }
}

/// The allowed tools of the configured MCP servers, through the MCP Swift SDK's client: one connection per server
/// and step, closed with it. A stdio server runs in a process group of its own with only PATH, HOME and LANG, so it
/// sees none of Gaffer's secrets, and ends with the step.
public struct MCPClientTools: ExternalTools {
    public let servers: [MCPServerSpec]

    public init(servers: [MCPServerSpec]) {
        self.servers = servers
    }

    public func open(logger: Logger) async -> any ExternalToolSession {
        var connections: [MCPConnection] = []
        for server in servers {
            do {
                connections.append(try await MCPConnection.open(server, logger: logger))
            } catch {
                logger.warning("an MCP server could not be used for this step", metadata: ["server": "\(server.name)", "error": "\(error)"])
            }
        }
        return MCPClientSession(connections: connections, logger: logger)
    }
}

/// One server's client for one step.
final class MCPConnection: Sendable {
    let spec: MCPServerSpec
    let client: Client
    let tools: [ModelTool]
    /// The stdio server's process, ended by `close`.
    let process: pid_t?

    private init(spec: MCPServerSpec, client: Client, tools: [ModelTool], process: pid_t?) {
        self.spec = spec
        self.client = client
        self.tools = tools
        self.process = process
    }

    static let separator = "__"

    static func open(_ spec: MCPServerSpec, logger: Logger) async throws -> MCPConnection {
        let client = Client(name: "gaffer", version: GafferVersion.current)
        var process: pid_t?
        do {
            switch spec.transport {
            case .stdio(let command):
                let toServer = try ChildProcess.pipe()
                let fromServer = try ChildProcess.pipe()
                let quiet = Glibc.open("/dev/null", O_WRONLY | O_CLOEXEC)
                defer {
                    Glibc.close(toServer.read)
                    Glibc.close(fromServer.write)
                    if quiet >= 0 { Glibc.close(quiet) }
                }
                process = try ChildProcess.spawn(
                    command,
                    environment: GafferMCPEnvironment.clean,
                    descriptors: [0: toServer.read, 1: fromServer.write, 2: quiet >= 0 ? quiet : fromServer.write]
                )
                let transport = StdioTransport(
                    input: FileDescriptor(rawValue: fromServer.read),
                    output: FileDescriptor(rawValue: toServer.write),
                    logger: logger
                )
                try await withDeadline(.seconds(20), "start \(command.first ?? "")") { try await client.connect(transport: transport) }
            case .http(let url):
                let transport = HTTPClientTransport(endpoint: url, streaming: false, logger: logger)
                try await withDeadline(.seconds(20), "connect to \(url)") { try await client.connect(transport: transport) }
            }
            let listed = try await withDeadline(.seconds(20), "list the tools of \(spec.name)") { try await client.listTools().tools }
            let tools = try listed.filter { spec.allowed.contains($0.name) }.map { tool in
                ModelTool(
                    name: spec.name + separator + tool.name,
                    description: "From the MCP server \(spec.name), not Gaffer: " + (tool.description ?? tool.name),
                    inputSchema: try GafferTools.json(tool.inputSchema)
                )
            }
            return MCPConnection(spec: spec, client: client, tools: tools, process: process)
        } catch {
            await client.disconnect()
            if let process { end(process) }
            throw error
        }
    }

    func call(_ tool: String, input: JSONValue) async -> (text: String, isError: Bool) {
        let arguments: [String: Value]? = if case .object(let fields) = input { fields.mapValues(GafferTools.value) } else { nil }
        do {
            let (content, isError) = try await withDeadline(.seconds(60), "call \(spec.name)/\(tool)") {
                try await self.client.callTool(name: tool, arguments: arguments)
            }
            let text = content.compactMap { item -> String? in
                if case .text(let text, _, _) = item { return text }
                return "[a non-text answer was left out]"
            }.joined(separator: "\n")
            return (text, isError ?? false)
        } catch {
            return ("the MCP server \(spec.name) failed: \(error)", true)
        }
    }

    func close() async {
        await client.disconnect()
        if let process { Self.end(process) }
    }

    /// Ends the server's process group and reaps it.
    static func end(_ process: pid_t) {
        kill(-process, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<50 {
            if waitpid(process, &status, WNOHANG) != 0 { return }
            usleep(20_000)
        }
        kill(-process, SIGKILL)
        waitpid(process, &status, 0)
    }
}

/// The connections of one step.
final class MCPClientSession: ExternalToolSession {
    let connections: [MCPConnection]
    let logger: Logger
    let tools: [ModelTool]

    init(connections: [MCPConnection], logger: Logger) {
        self.connections = connections
        self.logger = logger
        self.tools = connections.flatMap(\.tools)
    }

    func call(_ name: String, input: JSONValue) async -> (text: String, isError: Bool) {
        guard let connection = connections.first(where: { $0.tools.contains { $0.name == name } }) else {
            return ("there is no tool \(name)", true)
        }
        let tool = String(name.dropFirst(connection.spec.name.count + MCPConnection.separator.count))
        let started = ContinuousClock.now
        let answer = await connection.call(tool, input: input)
        // Every call is logged, never its arguments or answer.
        logger.info(
            "external tool call",
            metadata: [
                "server": "\(connection.spec.name)", "tool": "\(tool)", "error": "\(answer.isError)",
                "ms": "\(GafferTools.milliseconds(ContinuousClock.now - started))",
            ]
        )
        return answer
    }

    func close() async {
        for connection in connections { await connection.close() }
    }
}

/// What a started MCP server is given of Gaffer's environment: enough to find its programs, nothing more.
enum GafferMCPEnvironment {
    static var clean: [String: String] {
        let mine = ProcessInfo.processInfo.environment
        return [
            "PATH": mine["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "HOME": mine["HOME"] ?? "/tmp", "LANG": mine["LANG"] ?? "C.UTF-8",
        ]
    }
}

struct MCPDeadlineExceeded: Error, CustomStringConvertible {
    let what: String
    var description: String { "could not \(what) in time" }
}

/// `body`, or an error once `duration` has passed: a server that never answers does not hold a step.
func withDeadline<T: Sendable>(_ duration: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: duration)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw MCPDeadlineExceeded(what: what) }
        return value
    }
}
