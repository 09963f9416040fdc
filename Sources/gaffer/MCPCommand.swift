import ArgumentParser
import Foundation
import GafferAgents
import GafferApp
import GafferCore
import GafferGitHub
import GafferMCP
import Hummingbird
import Logging
import MCP

/// `gaffer mcp`: Gaffer's read-only tools for an assistant, over the Model Context Protocol.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve Gaffer's tools to an assistant over MCP: on standard input and output, or with --http on /mcp behind mcp_token.",
        discussion: """
            Tools: parse_issue, plan_task (offline: files, findings, cost), registry, search_knowledge, task_status. \
            They read the store in data_dir (or database_url) and change nothing in AWS or GitHub. With mcp_write_tools \
            (standard input and output only): open_task_issue and comment_command, as the GitHub user of mcp_github_token.
            """
    )

    @Flag(help: "Serve MCP's streamable HTTP on --host and --port at /mcp; every request needs Authorization: Bearer <mcp_token>.")
    var http = false

    @Option(help: "With --http: the address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "With --http: the port (0 picks a free one, printed at start).")
    var port = 8090

    @OptionGroup var config: ConfigOption

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(config, needs: [.dataDirectory])
        let logger = CommandSupport.bootstrap(configuration)
        if http && configuration.mcpToken == nil {
            FileHandle.standardError.write(
                Data("gaffer mcp: --http needs a token for its clients: set mcp_token (or GAFFER_MCP_TOKEN), at least 16 random characters\n".utf8)
            )
            throw ExitCode(2)
        }
        let store = try await CommandSupport.openStore(configuration).store
        defer { store.shutdown() }
        let parser = IssueParser(options: configuration.parserOptions)
        let readOnly = try GafferTools.readOnly(
            parser: parser,
            coordinator: try configuration.makeCoordinator(store: InMemoryPlanStore()),
            registry: store,
            knowledge: store,
            plans: store,
            spend: store,
            logger: logger
        )
        var gitHubSettings = GitHubClient.Settings(baseURL: configuration.githubAPIURL)
        gitHubSettings.redactor = configuration.redactor
        let settings = gitHubSettings
        let botLogin = configuration.botLogin
        // Read-only tools and the write tools, acting as the user `token` signs in as.
        let writing: MCPHTTPEndpoint.PersonalTools = { token in
            let github = try await GitHubClient(settings: settings, credentials: .token(token))
            let user = try await github.authenticatedUser()
            let tools = try GafferTools(
                readOnly.tools + GafferTools.writing(parser: parser, github: github, botLogin: botLogin),
                logger: logger
            )
            return (user.login, tools)
        }
        var tools = readOnly
        // Over HTTP each session acts as the person whose GitHub token it sends; one token would act for everyone.
        if configuration.mcpWriteTools && !http {
            guard let token = configuration.mcpGitHubToken else {
                FileHandle.standardError.write(
                    Data(
                        ("gaffer mcp: mcp_write_tools needs the GitHub token of the person it acts for: "
                            + "set mcp_github_token_file or GAFFER_MCP_GITHUB_TOKEN\n").utf8
                    )
                )
                throw ExitCode(2)
            }
            let (login, withWriting) = try await writing(token)
            logger.notice("gaffer mcp: the write tools act as \(login)")
            tools = withWriting
        }
        guard http, let token = configuration.mcpToken else {
            let server = await GafferMCPServer.make(tools: tools)
            try await server.start(transport: StdioTransport(logger: logger))
            await server.waitUntilCompleted()
            return
        }
        let endpoint = MCPHTTPEndpoint(
            tools: tools,
            token: token,
            personal: configuration.mcpWriteTools ? writing : nil,
            logger: logger
        )
        let router = Router()
        endpoint.register(on: router)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "gaffer-mcp"),
            onServerRunning: { channel in
                FileHandle.standardError.write(Data("gaffer mcp: serving http://\(host):\(channel.localAddress?.port ?? port)/mcp\n".utf8))
            },
            logger: logger
        )
        try await application.runService()
        await endpoint.closeAll()
    }
}
