import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

/// `gaffer mcp` driven by the Python MCP SDK (`scripts/mcp/drive.py`) as a real client: over standard input and
/// output, and over streamable HTTP behind its bearer token.
struct MCPServerTests {
    static let python = ProcessInfo.processInfo.environment["GAFFER_MCP_PYTHON"] ?? "/opt/gaffer-mcp/bin/python"
    static let driver = Conformance.packageRoot.appendingPathComponent("scripts/mcp/drive.py").path

    /// One call of each tool, and one with arguments a tool refuses.
    static let calls: JSONValue = .object([
        "parse_issue": .object(["title": "Create an S3 bucket named logs-archive in eu-west-1", "body": "versioning: true"]),
        "plan_task": .object(["title": "Create an SNS topic named alerts in eu-west-1"]),
        "registry": .object([:]),
        "search_knowledge": .object(["text": "BucketAlreadyExists"]),
        "task_status": .object(["repository": "acme/infra", "issue": 7]),
    ])

    /// A data directory whose store knows one learning and one model call of acme/infra#7.
    static func seededData() async throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("gaffer-mcp")
        let store = try SQLiteStore(dataDirectory: directory.url)
        try store.migrate()
        let reason = "logs-archive already exists (Error Code: BucketAlreadyExists)"
        try await store.recordLearning(
            Learning(
                planID: "p1",
                stack: "gaffer-s3-bucket-logs-archive",
                repository: "acme/infra",
                issue: 7,
                pullRequest: 8,
                resourceType: "AWS::S3::Bucket",
                errorCode: Learning.errorCode(in: reason),
                reason: reason,
                failedAt: Date()
            )
        )
        try await store.recordModelCall(
            ModelCall(at: Date(), repository: "acme/infra", issue: 7, purpose: "intake", provider: "anthropic", model: "m", usd: 0.25),
            reserved: 0
        )
        store.shutdown()
        return directory
    }

    static func drive(_ arguments: [String], environment: [String: String] = [:]) async throws -> JSONValue {
        let calls = String(decoding: try Self.calls.encoded(), as: UTF8.self)
        let output = try await runCommand(python, [driver] + arguments, environment: environment.merging(["MCP_CALLS": calls]) { $1 })
        return try JSONValue.decode(Data(output.utf8))
    }

    /// What every transport must show: the tools, read-only, each call answered from the store.
    static func expectTheTools(_ seen: JSONValue) throws {
        #expect(seen["server"]?["name"] == "gaffer")
        guard case .array(let tools)? = seen["tools"] else {
            Issue.record("no tools in \(seen)")
            return
        }
        #expect(tools.compactMap { $0["name"]?.stringValue } == ["parse_issue", "plan_task", "registry", "search_knowledge", "task_status"])
        #expect(tools.allSatisfy { $0["readOnly"] == true })
        #expect(tools.allSatisfy { $0["schema"]?["type"] == "object" })

        let parsed = try #require(seen["calls"]?["parse_issue"])
        #expect(parsed["isError"] == false)
        #expect(parsed["structured"]?["parameters"]?["bucketName"] == "logs-archive")
        let plan = try #require(seen["calls"]?["plan_task"])
        #expect(plan["structured"]?["plan"]?["state"] == "ready")
        let template = try #require(plan["structured"]?["contents"]?["infra/gaffer-sns-topic-alerts/template.yaml"]?.stringValue)
        #expect(template.contains("AWS::SNS::Topic"))
        #expect(seen["calls"]?["registry"]?["text"] == "[]")
        let knowledge = try #require(seen["calls"]?["search_knowledge"]?["text"]?.stringValue)
        #expect(knowledge.contains("BucketAlreadyExists") && knowledge.contains("learning"))
        let status = try #require(seen["calls"]?["task_status"]?["structured"])
        #expect(status["modelCalls"] == 1 && status["modelSpendUSD"] == .number(Decimal(string: "0.25") ?? 0))
    }

    @Test func overStandardInputAndOutput() async throws {
        let data = try await Self.seededData()
        defer { data.remove() }
        let gaffer = try GafferProcess.binary().path
        let seen = try await Self.drive(["stdio", "--", gaffer, "mcp"], environment: ["GAFFER_DATA_DIR": data.url.path])
        try Self.expectTheTools(seen)
    }

    @Test func overHTTPWithItsTokenAndRefusedWithout() async throws {
        let data = try await Self.seededData()
        defer { data.remove() }
        let token = "mcp-token-0123456789abcdef"
        let gaffer = try GafferProcess(
            arguments: ["mcp", "--http", "--port", "0"],
            environment: ["GAFFER_DATA_DIR": data.url.path, "GAFFER_MCP_TOKEN": token]
        )
        defer { gaffer.stop() }
        var port: Int?
        try await waitUntil(timeout: .seconds(60), "gaffer mcp to listen") {
            if !gaffer.isRunning { throw GafferProcess.Exited(output: gaffer.output) }
            port = gaffer.output.firstMatch(of: /serving http:\/\/127\.0\.0\.1:(\d+)\/mcp/).flatMap { Int($0.1) }
            return port != nil
        }
        let url = "http://127.0.0.1:\(port ?? 0)/mcp"
        try Self.expectTheTools(try await Self.drive(["http", url, token]))

        await #expect(throws: CommandFailed.self) { try await Self.drive(["http", url, "not-the-token"]) }
        await #expect(throws: CommandFailed.self) { try await Self.drive(["http", url]) }
        #expect(gaffer.output.contains("mcp request refused: no valid bearer token"))
        #expect(!gaffer.output.contains(token), "the token is never logged")
    }

    @Test func httpWithoutATokenDoesNotStart() async throws {
        let data = try TemporaryDirectory("gaffer-mcp")
        defer { data.remove() }
        let gaffer = try GafferProcess(arguments: ["mcp", "--http", "--port", "0"], environment: ["GAFFER_DATA_DIR": data.url.path])
        #expect(try await gaffer.waitForExit() == 2)
        #expect(gaffer.output.contains("--http needs a token for its clients: set mcp_token"))
    }
}
