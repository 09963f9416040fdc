import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferMCP
import GafferModels
import GafferSandbox
import GafferStore
import Logging
import MCP
import Synchronization

/// `gaffer-model-bench`: Gaffer's own time per model call and per MCP tool call, the provider's time left out.
/// Prints one JSON line per measurement with p50 and p99 in microseconds.
///
/// - `model.metering`: the budget's query and the cost record, on SQLite, around a provider that answers at once.
/// - `model.wire.<api>`: the client's own work: the request's body, and the answer read from a recorded stream.
/// - `model.call.<api>`: both together, which is Gaffer's part of one call.
/// - `model.call.code-loop-turn-20`: the same for a call late in an application-code loop, its 20 turns (about 120 KB) sent again.
/// - `mcp.dispatch`: a tool call through `GafferTools` (arguments in, answer encoded, the call logged), the tool doing nothing.
/// - `mcp.roundtrip`: the same call through the MCP SDK's client and server over an in-memory transport (JSON-RPC both ways).
/// - `mcp.parse_issue`: a real tool's whole call, for scale.
@main
enum ModelBenchmark {
    static func main() async throws {
        let iterations = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 2000
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gaffer-model-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(dataDirectory: directory)
        try store.migrate()
        defer { store.shutdown() }
        let quiet = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }

        let request = ModelRequest(
            model: "claude-sonnet-4-5",
            system: IssueInference.instructions,
            messages: [.user("<issue>\nTitle: logs\n\nWe need a versioned bucket called team-logs-archive in Ireland for the data team.\n</issue>")],
            tools: [TaskTool.tool],
            toolChoice: .tool(TaskTool.name),
            maxTokens: 1024
        )
        let turn = ScriptedTurn(
            text: "The issue asks for a versioned S3 bucket in eu-west-1.",
            toolUses: [
                .init(
                    id: "toolu_01",
                    name: TaskTool.name,
                    input: .object([
                        "understood": true, "task": "create", "resource": "s3Bucket", "name": "team-logs-archive", "region": "eu-west-1",
                        "settings": .object(["versioning": true]), "tags": .object(["team": "data"]),
                    ])
                )
            ],
            inputTokens: 3200,
            outputTokens: 120
        )
        let answer = try ModelWireCodec.response(
            streamed: ModelSandbox.streamedBytes(turn, api: .anthropic, model: "claude-sonnet-4-5"),
            api: .anthropic,
            model: "claude-sonnet-4-5"
        )
        let price = ModelPrice(input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3)
        let budget = ModelBudget(taskUSD: 1_000_000, dailyUSD: 1_000_000, monthlyUSD: 1_000_000)

        // Metering alone, around a provider that answers at once.
        let task = Counter()
        let metered = MeteredModel(
            provider: InstantProvider(answer: answer),
            model: "claude-sonnet-4-5",
            price: price,
            budget: budget,
            spend: store,
            logger: quiet
        )
        try await report("model.metering", iterations, gap: .milliseconds(3)) {
            _ = try await metered.respond(request, scope: ModelScope(purpose: "bench", repository: "acme/bench", issue: task.next() % 500))
        }
        // Metering's parts: the reservation (the budget's check), and the record that settles it.
        try await report("model.metering.reserve", iterations) {
            try await store.reserveModelSpend(repository: "acme/bench", issue: 7, at: Date(), usd: 0.01, budget: budget)
        }
        try await report("model.metering.record", iterations) {
            try await store.recordModelCall(
                ModelCall(at: Date(), repository: "acme/bench", issue: 7, purpose: "bench", provider: "p", model: "m", usd: 0.01),
                reserved: 0.01
            )
        }
        // The wire work's parts: the JSON of the request, and of the stream's events.
        let events = String(decoding: ModelSandbox.streamedBytes(turn, api: .anthropic, model: "claude-sonnet-4-5"), as: UTF8.self)
            .components(separatedBy: "\n")
            .filter { $0.hasPrefix("data: ") }.map { Data($0.dropFirst(6).utf8) }
        try await report("model.json.request", iterations) { _ = try ModelWireCodec.requestBody(request, api: .anthropic) }
        try await report("model.json.events", iterations) { for event in events { _ = try JSONValue.decode(event) } }
        for api in ModelWireCodec.API.allCases {
            let bytes = ModelSandbox.streamedBytes(turn, api: ModelSandbox.API(rawValue: api.rawValue) ?? .anthropic, model: "claude-sonnet-4-5")
            try await report("model.wire.\(api.rawValue)", iterations) {
                _ = try CodecProvider.encode(request, api: api)
                _ = try ModelWireCodec.response(streamed: bytes, api: api, model: "claude-sonnet-4-5")
            }
            let wired = MeteredModel(
                provider: CodecProvider(api: api, stream: bytes),
                model: "claude-sonnet-4-5",
                price: price,
                budget: budget,
                spend: store,
                logger: quiet
            )
            try await report("model.call.\(api.rawValue)", iterations, gap: .milliseconds(3)) {
                _ = try await wired.respond(request, scope: ModelScope(purpose: "bench", repository: "acme/bench", issue: task.next() % 500))
            }
        }

        // A call late in an application-code loop: twenty turns of the conversation, each writing a 3 KB file and
        // reading back a 3 KB test report, all sent again (the worst case counted, the body encoded) on every call.
        var loop = ModelRequest(
            model: "claude-sonnet-4-5",
            system: ApplicationCoder.instructions,
            messages: [.user("<request>\nadd an endpoint that lists orders by customer\n</request>")],
            tools: ApplicationCoder.tools,
            maxTokens: 8_192
        )
        let file = String(repeating: "    return sorted(items, key=lambda item: item['id'])\n", count: 60)
        for index in 0..<20 {
            loop.messages.append(
                ModelMessage(
                    role: .assistant,
                    content: [
                        .toolUse(id: "toolu_\(index)", name: "write_file", input: ["path": .string("api/part\(index).py"), "content": .string(file)])
                    ]
                )
            )
            loop.messages.append(ModelMessage(role: .user, content: [.toolResult(id: "toolu_\(index)", content: file, isError: false)]))
        }
        let loopBytes = ModelSandbox.streamedBytes(turn, api: .anthropic, model: "claude-sonnet-4-5")
        let looped = MeteredModel(
            provider: CodecProvider(api: .anthropic, stream: loopBytes),
            model: "claude-sonnet-4-5",
            price: price,
            budget: budget,
            spend: store,
            logger: quiet
        )
        let lateCall = loop
        try await report("model.call.code-loop-turn-20", iterations, gap: .milliseconds(3)) {
            _ = try await looped.respond(lateCall, scope: ModelScope(purpose: "bench", repository: "acme/bench", issue: task.next() % 500))
        }

        // MCP: Gaffer's dispatch, then the whole JSON-RPC round trip through the SDK.
        let tools = try GafferTools([EchoTool(), ParseIssueBench()], logger: quiet)
        let arguments: [String: Value] = ["repository": "acme/infra", "issue": 7, "text": "BucketAlreadyExists"]
        try await report("mcp.dispatch", iterations) {
            let result = await tools.call("echo", arguments: arguments)
            guard result.isError != true else { throw BenchFailure("echo failed") }
        }
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        let server = await GafferMCPServer.make(tools: tools)
        try await server.start(transport: serverSide)
        let client = Client(name: "bench", version: "1")
        _ = try await client.connect(transport: clientSide)
        try await report("mcp.roundtrip", iterations) {
            let (_, isError) = try await client.callTool(name: "echo", arguments: arguments)
            guard isError != true else { throw BenchFailure("echo failed over MCP") }
        }
        try await report("mcp.parse_issue", iterations) {
            let (_, isError) = try await client.callTool(
                name: "parse_issue",
                arguments: ["title": "Create an S3 bucket named logs-archive in eu-west-1", "body": "versioning: true"]
            )
            guard isError != true else { throw BenchFailure("parse_issue failed over MCP") }
        }
        await client.disconnect()
        await server.stop()
    }

    /// Runs `body` 200 times to warm up, then `iterations` times, and prints the percentiles of one run.
    /// Calls come from workers on the global executor, as in Gaffer, not from the main actor.
    /// `gap`: an untimed pause after each call, standing for the provider's time, in which a call's record settles
    /// as it would between real calls (seconds apart); without it the next call would be timed while the last one's
    /// record is written.
    static func report(_ name: String, _ iterations: Int, gap: Duration = .zero, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await Task.detached { try await measure(name, iterations, gap: gap, body) }.value
    }

    static func measure(_ name: String, _ iterations: Int, gap: Duration, _ body: @Sendable () async throws -> Void) async throws {
        for _ in 0..<200 { try await body() }
        var samples: [Double] = []
        samples.reserveCapacity(iterations)
        let clock = ContinuousClock()
        for _ in 0..<iterations {
            let started = clock.now
            try await body()
            let elapsed = clock.now - started
            if gap > .zero { try await Task.sleep(for: gap) }
            samples.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
        }
        samples.sort()
        func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        let line: [String: Any] = [
            "benchmark": name, "iterations": iterations, "p50_us": (percentile(0.5) * 10).rounded() / 10,
            "p99_us": (percentile(0.99) * 10).rounded() / 10, "max_us": ((samples.last ?? 0) * 10).rounded() / 10,
        ]
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Task numbers for the calls, so their totals spread over 500 tasks.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Answers at once with a prepared answer: the provider's time is nothing.
struct InstantProvider: ModelProvider {
    let name = "instant"
    let answer: ModelResponse
    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(.done(answer))
            continuation.finish()
        }
    }
}

/// Does what a wire client does but the network: encodes (and for Bedrock signs) the request and reads a recorded stream.
struct CodecProvider: ModelProvider {
    let api: ModelWireCodec.API
    let stream: [UInt8]
    var name: String { api.rawValue }
    static let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIABENCH00000000000", secretAccessKey: Secret("bench-secret")),
        region: "us-east-1",
        service: "bedrock"
    )

    static func encode(_ request: ModelRequest, api: ModelWireCodec.API) throws -> Data {
        let body = try ModelWireCodec.requestBody(request, api: api)
        if api == .bedrock { _ = ModelWireCodec.bedrockSignature(body: body, model: request.model, signer: signer, at: Date()) }
        return body
    }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            do {
                _ = try Self.encode(request, api: api)
                continuation.yield(.done(try ModelWireCodec.response(streamed: stream, api: api, model: request.model)))
                continuation.finish()
            } catch { continuation.finish(throwing: error) }
        }
    }
}

/// A tool that does nothing: what is measured is the way to it and back.
struct EchoTool: GafferTool {
    let name = "echo"
    let description = "returns its arguments"
    let readOnly = true
    let inputSchema: JSONValue = .object(["type": "object"])
    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue { .object(arguments) }
}

/// `parse_issue` as `gaffer mcp` offers it.
struct ParseIssueBench: GafferTool {
    let name = "parse_issue"
    let description = "parses an issue"
    let readOnly = true
    let inputSchema: JSONValue = .object(["type": "object"])
    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue {
        let issue = IssueInput(title: arguments["title"]?.stringValue ?? "", body: arguments["body"]?.stringValue ?? "")
        let encoder = JSONEncoder()
        return try JSONValue.decode(try encoder.encode(IssueParser().parse(issue)))
    }
}
