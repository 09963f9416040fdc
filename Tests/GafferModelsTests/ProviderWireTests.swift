import Foundation
import GafferAWS
import GafferCore
import GafferModels
import GafferSandbox
import GafferTestSupport
import Testing

/// Each provider's client against a server that speaks its wire protocol and checks each request as documented.
@Suite struct ProviderWireTests {
    enum Wire: String, CaseIterable { case anthropic, openai, bedrock }

    static let tool = ModelTool(
        name: "submit_task",
        description: "Submit the task",
        inputSchema: .object(["type": "object", "properties": .object(["name": .object(["type": "string"])]), "required": .array(["name"])])
    )

    func provider(
        _ wire: Wire,
        _ fixture: ModelSandboxFixture,
        key: String = "sk-sandbox-key",
        waiter: RecordingWaiter = RecordingWaiter()
    )
        -> any ModelProvider
    {
        switch wire {
        case .anthropic: AnthropicMessagesProvider(endpoint: ModelEndpoint(baseURL: fixture.anthropicURL, apiKey: Secret(key)), waiter: waiter)
        case .openai: OpenAIChatProvider(endpoint: ModelEndpoint(baseURL: fixture.openAIURL, apiKey: Secret(key)), waiter: waiter)
        case .bedrock:
            // The wrong "key" is a wrong secret: the signature will not match the sandbox's.
            BedrockConverseProvider(
                region: "us-east-1",
                endpoint: ModelEndpoint(baseURL: fixture.bedrockURL),
                credentials: StaticCredentialProvider(
                    key == "sk-sandbox-key"
                        ? ModelSandboxFixture.awsCredentials
                        : AWSCredentials(accessKeyID: ModelSandbox.awsAccessKeyID, secretAccessKey: Secret(key)),
                    source: "test"
                ),
                waiter: waiter
            )
        }
    }

    @Test(arguments: Wire.allCases)
    func aToolUseIsStreamedAndGatheredWithItsUsage(_ wire: Wire) async throws {
        let fixture = try await ModelSandboxFixture()
        defer { Task { await fixture.stop() } }
        fixture.sandbox.enqueue(
            .turn(
                ScriptedTurn(
                    text: "I read the issue as a bucket request.",
                    toolUses: [.init(id: "toolu_01", name: "submit_task", input: .object(["name": "logs-archive", "versioning": true]))],
                    inputTokens: 1200,
                    outputTokens: 85,
                    cacheReadTokens: 300
                )
            )
        )
        let request = ModelRequest(
            model: "model-a",
            system: "You turn issues into tasks.",
            messages: [.user("Please make a bucket called logs-archive")],
            tools: [Self.tool],
            toolChoice: .tool("submit_task"),
            maxTokens: 512
        )
        var deltas: [String] = []
        var response: ModelResponse?
        for try await event in provider(wire, fixture).stream(request) {
            switch event {
            case .textDelta(let piece): deltas.append(piece)
            case .toolUse(let id, let name, _): #expect(id == "toolu_01" && name == "submit_task")
            case .done(let done): response = done
            }
        }
        let answer = try #require(response)
        #expect(deltas.count > 1, "the text arrived in pieces")
        #expect(deltas.joined() == "I read the issue as a bucket request.")
        #expect(answer.text == "I read the issue as a bucket request.")
        #expect(answer.stopReason == .toolUse)
        #expect(answer.toolUses.map(\.name) == ["submit_task"])
        #expect(answer.toolUses.first?.input == .object(["name": "logs-archive", "versioning": true]))
        #expect(answer.usage == ModelUsage(inputTokens: 1200, outputTokens: 85, cacheReadTokens: 300))
        #expect(fixture.sandbox.refusals.isEmpty)

        let sent = try #require(fixture.sandbox.received.first)
        if wire != .bedrock {
            #expect(sent.body["model"] == "model-a")
            #expect(sent.body["stream"] == true)
            #expect(sent.body["max_tokens"] == 512)
        }
        switch wire {
        case .anthropic:
            #expect(sent.headers["anthropic-version"] == "2023-06-01")
            #expect(sent.body["system"] == "You turn issues into tasks.")
            #expect(sent.body["messages"]?[0]?["content"]?[0]?["text"] == "Please make a bucket called logs-archive")
            #expect(sent.body["tools"]?[0]?["input_schema"] == Self.tool.inputSchema)
            #expect(sent.body["tool_choice"] == .object(["type": "tool", "name": "submit_task"]))
        case .openai:
            #expect(sent.body["messages"]?[0] == .object(["role": "system", "content": "You turn issues into tasks."]))
            #expect(sent.body["messages"]?[1] == .object(["role": "user", "content": "Please make a bucket called logs-archive"]))
            #expect(sent.body["tools"]?[0]?["function"]?["parameters"] == Self.tool.inputSchema)
            #expect(sent.body["tool_choice"] == .object(["type": "function", "function": .object(["name": "submit_task"])]))
            #expect(sent.body["stream_options"] == .object(["include_usage": true]))
        case .bedrock:
            #expect(sent.path == "/model/model-a/converse-stream")
            #expect(sent.body["model"] == nil, "the model is in the path")
            #expect(sent.body["inferenceConfig"] == .object(["maxTokens": 512]))
            #expect(sent.body["system"] == .array([.object(["text": "You turn issues into tasks."])]))
            #expect(sent.body["messages"]?[0]?["content"]?[0] == .object(["text": "Please make a bucket called logs-archive"]))
            #expect(sent.body["toolConfig"]?["tools"]?[0]?["toolSpec"]?["inputSchema"]?["json"] == Self.tool.inputSchema)
            #expect(sent.body["toolConfig"]?["toolChoice"] == .object(["tool": .object(["name": "submit_task"])]))
            #expect(sent.headers["accept"] == "application/vnd.amazon.eventstream")
            #expect(sent.headers["x-amz-date"] != nil)
        }
    }

    @Test(arguments: Wire.allCases)
    func aToolResultGoesBackInTheShapeTheProviderChecks(_ wire: Wire) async throws {
        let fixture = try await ModelSandboxFixture()
        defer { Task { await fixture.stop() } }
        fixture.sandbox.enqueue(.turn(ScriptedTurn(text: "Done.")))
        let request = ModelRequest(
            model: "model-a",
            system: "s",
            messages: [
                .user("read README.md"),
                ModelMessage(role: .assistant, content: [.toolUse(id: "call_1", name: "read_file", input: .object(["path": "README.md"]))]),
                ModelMessage(role: .user, content: [.toolResult(id: "call_1", content: "# App", isError: false)]),
            ],
            tools: [ModelTool(name: "read_file", description: "read", inputSchema: .object(["type": "object"]))]
        )
        let answer = try await provider(wire, fixture).respond(request)
        #expect(answer.text == "Done.")
        #expect(answer.stopReason == .endTurn)
        #expect(fixture.sandbox.refusals.isEmpty)

        // A tool result for a tool use never made is refused by the provider, and Gaffer says so.
        fixture.sandbox.enqueue(.turn(ScriptedTurn(text: "unused")))
        var broken = request
        broken.messages[2] = ModelMessage(role: .user, content: [.toolResult(id: "call_9", content: "x", isError: false)])
        let error = try await #require(throws: ModelError.self) { try await provider(wire, fixture).respond(broken) }
        #expect(error.kind == .rejected)
        #expect(error.status == 400)
        #expect(error.description.contains("tool"))
    }

    @Test(arguments: Wire.allCases)
    func aBusyProviderIsTriedAgainAfterTheWaitItAsksFor(_ wire: Wire) async throws {
        let fixture = try await ModelSandboxFixture()
        defer { Task { await fixture.stop() } }
        fixture.sandbox.enqueue(.failure(status: 429, retryAfter: "2"), .failure(status: 529), .turn(ScriptedTurn(text: "ok")))
        let waiter = RecordingWaiter()
        let answer = try await provider(wire, fixture, waiter: waiter).respond(ModelRequest(model: "m", system: "", messages: [.user("hi")]))
        #expect(answer.text == "ok")
        #expect(fixture.sandbox.received.count == 3)
        #expect(waiter.recorded.count == 2)
        #expect(waiter.recorded.first == .seconds(2))
        // Without retry-after, the backoff's wait after a second attempt: between one and two seconds.
        #expect((waiter.recorded.last ?? .zero) >= .seconds(1) && (waiter.recorded.last ?? .zero) <= .seconds(2))
    }

    @Test(arguments: Wire.allCases)
    func failuresSayWhatIsWrongWithoutTheKey(_ wire: Wire) async throws {
        let fixture = try await ModelSandboxFixture()
        defer { Task { await fixture.stop() } }
        let waiter = RecordingWaiter()
        let request = ModelRequest(model: "m", system: "", messages: [.user("hi")])

        let refused = try await #require(throws: ModelError.self) {
            try await provider(wire, fixture, key: "sk-wrong-key", waiter: waiter).respond(request)
        }
        #expect(refused.kind == .unauthorized)
        #expect(refused.description.contains(wire == .bedrock ? "signature we calculated does not match" : "\(wire.rawValue)_api_key"))
        if wire == .bedrock { #expect(refused.description.contains("AWS credentials")) }
        #expect(!refused.description.contains("sk-wrong-key"))
        #expect(waiter.recorded.isEmpty, "a refused key is not tried again")

        fixture.sandbox.enqueue(.failure(status: 429, retryAfter: "3600"))
        let tooLong = try await #require(throws: ModelError.self) { try await provider(wire, fixture, waiter: waiter).respond(request) }
        #expect(tooLong.kind == .unavailable)
        #expect(tooLong.description.contains("asked to wait 3600"))
        #expect(waiter.recorded.isEmpty)

        fixture.sandbox.enqueue(.failure(status: 503), .failure(status: 503), .failure(status: 503), .failure(status: 503))
        let exhausted = try await #require(throws: ModelError.self) { try await provider(wire, fixture, waiter: waiter).respond(request) }
        #expect(exhausted.description.contains("after 4 tries"))
        #expect(fixture.sandbox.pending == 0)

        fixture.sandbox.enqueue(.streamError(message: "Overloaded"))
        let midStream = try await #require(throws: ModelError.self) { try await provider(wire, fixture, waiter: waiter).respond(request) }
        #expect(midStream.kind == .streamError)
        #expect(midStream.description.contains("Overloaded"))
    }

    @Test func aProviderThatDoesNotAnswerInTimeFailsTheCall() async throws {
        // The stub answers (a 500, so not a time-out) long after the 1 s limit: a time-out can only come from Gaffer's
        // own deadline. The bound is loose because a loaded 2-core machine wakes sleepers late.
        let server = try await StubHTTPServer.start { _ in
            try? await Task.sleep(for: .seconds(60))
            return StubResponse(status: 500)
        }
        defer { Task { await server.stop() } }
        let provider = AnthropicMessagesProvider(endpoint: ModelEndpoint(baseURL: server.url, apiKey: Secret("k"), timeout: .seconds(1)))
        let started = ContinuousClock.now
        let error = try await #require(throws: ModelError.self) {
            try await provider.respond(ModelRequest(model: "m", system: "", messages: [.user("hi")]))
        }
        #expect(error.kind == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(45))
    }
}
