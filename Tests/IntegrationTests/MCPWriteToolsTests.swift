import Foundation
import GafferCore
import GafferGitHub
import GafferMCP
import GafferTestSupport
import Testing

/// `gaffer mcp`'s write tools against the GitHub sandbox: they act as the user whose token they hold, with that
/// user's rights; they write only what Gaffer can read (a task it can type, one of its commands); and an operator
/// must turn them on, for standard input and output only.
struct MCPWriteToolsTests {
    static let repository = RepositoryRef(owner: "acme", name: "web")

    static func tools(_ sandbox: SandboxFixture, token: String) async throws -> [String: any GafferTool] {
        let client = try await sandbox.client(.token(Secret(token)))
        let tools = GafferTools.writing(parser: IssueParser(), github: client, botLogin: "gaffer[bot]")
        return Dictionary(uniqueKeysWithValues: tools.map { ($0.name, $0) })
    }

    @Test func anIssueAndACommandAreWrittenAsTheUserAndOnlyWhatGafferCanRead() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let tools = try await Self.tools(sandbox, token: SandboxFixture.aliceToken)
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let open = try #require(tools["open_task_issue"])
        #expect(open.readOnly == false && tools["comment_command"]?.readOnly == false)

        let opened = try await open.call([
            "repository": "acme/web", "title": "Create an S3 bucket named team-logs in eu-west-1", "body": "versioning: true",
        ])
        let number = try #require(opened["number"]?.intValue)
        let issue = try await alice.issue(number, in: Self.repository)
        #expect(issue.user?.login == "alice" && opened["author"] == "alice", "written as the user, not as Gaffer")
        #expect(issue.labels.map(\.name) == ["gaffer"] && issue.body == "versioning: true")

        let before = try await alice.issues(labeled: ["gaffer"], in: Self.repository).count
        let vague = await #expect(throws: ToolInputError.self) {
            try await open.call(["repository": "acme/web", "title": "Make our infrastructure better"])
        }
        #expect(vague?.description.contains("so it was not opened") == true)
        #expect(try await alice.issues(labeled: ["gaffer"], in: Self.repository).count == before)

        let comment = try #require(tools["comment_command"])
        let commented = try await comment.call(["repository": "acme/web", "issue": .number(Decimal(number)), "command": "/plan"])
        #expect(commented["command"] == "plan" && commented["author"] == "alice")
        let bodies = try await alice.comments(onIssue: number, in: Self.repository).map { ($0.user?.login, $0.body) }
        #expect(bodies.contains { $0.0 == "alice" && $0.1 == "/plan" })
        for text in ["please deploy it now", "/plan\n/apply", "Looks good! /approve"] {
            await #expect(throws: ToolInputError.self, "\(text)") {
                try await comment.call(["repository": "acme/web", "issue": .number(Decimal(number)), "command": .string(text)])
            }
        }
        #expect(try await alice.comments(onIssue: number, in: Self.repository).count == bodies.count, "nothing else was commented")
    }

    /// A command is written as the person who asked, so Gaffer's own checks (who may /approve) apply to them, as
    /// they would to a comment typed on GitHub; what GitHub itself refuses the person is refused, and nothing is written.
    @Test func aCommandIsTheUsersOwnAndWhatGitHubRefusesThemIsRefused() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        _ = await sandbox.state.addUser("mallory", token: "ghp_mallory_0123456789")
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let issue = try await sandbox.openIssue("Create an S3 bucket named team-logs in eu-west-1", as: alice)
        let tools = try await Self.tools(sandbox, token: "ghp_mallory_0123456789")
        let approval = try await tools["comment_command"]?.call([
            "repository": "acme/web", "issue": .number(Decimal(issue.number)), "command": "/approve",
        ])
        #expect(approval?["author"] == "mallory", "mallory's, not Gaffer's: the approval is checked against mallory's rights")
        let comments = try await alice.comments(onIssue: issue.number, in: Self.repository)
        #expect(comments.contains { $0.user?.login == "mallory" && $0.body == "/approve" })

        let refused = await #expect(throws: ToolInputError.self) {
            try await tools["open_task_issue"]?.call(["repository": "acme/elsewhere", "title": "Create an S3 bucket named x-logs in eu-west-1"])
        }
        #expect(refused?.description.hasPrefix("GitHub refused it for this user (404") == true, "\(refused?.description ?? "")")
    }

    @Test func theOperatorTurnsThemOnAndEachClientActsAsItsOwnPerson() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let data = try await MCPServerTests.seededData()
        defer { data.remove() }
        let gaffer = try GafferProcess.binary().path
        var environment = [
            "GAFFER_DATA_DIR": data.url.path, "GAFFER_MCP_WRITE_TOOLS": "true", "GAFFER_GITHUB_API_URL": sandbox.baseURL.absoluteString,
        ]
        // No token of the person it acts for: it does not start, and says what to set.
        let missing = try GafferProcess(arguments: ["mcp"], environment: environment)
        defer { missing.stop() }
        #expect(try await missing.waitForExit() == 2)
        #expect(missing.output.contains("mcp_write_tools needs the GitHub token of the person it acts for"))
        environment["GAFFER_MCP_GITHUB_TOKEN"] = SandboxFixture.aliceToken
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let calls: JSONValue = ["open_task_issue": ["repository": "acme/web", "title": "Create an SNS topic named alerts in eu-west-1"]]
        let callsText = String(decoding: try calls.encoded(), as: UTF8.self)
        func writing(_ seen: JSONValue) -> [String] {
            guard case .array(let listed)? = seen["tools"] else { return [] }
            return listed.filter { $0["readOnly"] == false }.compactMap { $0["name"]?.stringValue }
        }

        // Over stdio, driven by the Python MCP SDK: listed as writing, and the issue is alice's.
        let output = try await runCommand(
            MCPServerTests.python,
            [MCPServerTests.driver, "stdio", "--", gaffer, "mcp"],
            environment: environment.merging(["MCP_CALLS": callsText]) { $1 }
        )
        let seen = try JSONValue.decode(Data(output.utf8))
        #expect(writing(seen) == ["open_task_issue", "comment_command"])
        let opened = try #require(seen["calls"]?["open_task_issue"])
        #expect(opened["isError"] == false, "\(opened)")
        let number = try #require(opened["structured"]?["number"]?.intValue)
        #expect(try await alice.issue(number, in: Self.repository).user?.login == "alice")

        // Over HTTP, one token would act for everyone: each session acts as the person whose GitHub token it sends.
        environment["GAFFER_MCP_GITHUB_TOKEN"] = nil
        let token = "mcp-token-0123456789abcdef"
        environment["GAFFER_MCP_TOKEN"] = token
        let overHTTP = try GafferProcess(arguments: ["mcp", "--http", "--port", "0"], environment: environment)
        defer { overHTTP.stop() }
        var port: Int?
        try await waitUntil(timeout: .seconds(60), "gaffer mcp to listen") {
            if !overHTTP.isRunning { throw GafferProcess.Exited(output: overHTTP.output) }
            port = overHTTP.output.firstMatch(of: /serving http:\/\/127\.0\.0\.1:(\d+)\/mcp/).flatMap { Int($0.1) }
            return port != nil
        }
        let url = "http://127.0.0.1:\(port ?? 0)/mcp"
        let asAlice = try JSONValue.decode(
            Data(
                try await runCommand(
                    MCPServerTests.python,
                    [MCPServerTests.driver, "http", url, token, SandboxFixture.aliceToken],
                    environment: ["MCP_CALLS": callsText]
                ).utf8
            )
        )
        #expect(writing(asAlice) == ["open_task_issue", "comment_command"])
        let viaHTTP = try #require(asAlice["calls"]?["open_task_issue"]?["structured"]?["number"]?.intValue)
        #expect(try await alice.issue(viaHTTP, in: Self.repository).user?.login == "alice")
        // Without a person's token a session only reads; with one GitHub refuses, none starts.
        let reader = try JSONValue.decode(
            Data(try await runCommand(MCPServerTests.python, [MCPServerTests.driver, "http", url, token], environment: [:]).utf8)
        )
        #expect(writing(reader).isEmpty && reader["tools"] != nil)
        await #expect(throws: CommandFailed.self) {
            try await runCommand(MCPServerTests.python, [MCPServerTests.driver, "http", url, token, "ghp_not_a_real_token"], environment: [:])
        }
        #expect(overHTTP.output.contains("mcp session acts as a GitHub user") && overHTTP.output.contains("alice"))
        #expect(!overHTTP.output.contains(SandboxFixture.aliceToken), "the person's token is never logged")
    }
}
