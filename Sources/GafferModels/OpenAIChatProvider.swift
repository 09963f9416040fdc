import AsyncHTTPClient
import Foundation
import GafferCore
import GafferHTTP

/// OpenAI's chat completions (`POST {base}/chat/completions`, streamed), which OpenAI, vLLM, Ollama and
/// LiteLLM proxies all serve.
public struct OpenAIChatProvider: ModelProvider {
    public let name: String
    let http: ModelHTTP

    /// - Parameters:
    ///   - name: the provider's name in the configuration and the cost records.
    ///   - endpoint: the API's root, up to and including `/v1`.
    ///   - client: the HTTP client.
    ///   - waiter: how retries wait (tests record instead).
    public init(
        name: String = "openai",
        endpoint: ModelEndpoint,
        client: HTTPClient = OutboundHTTPClient.shared,
        waiter: any RetryWaiter = TaskSleepWaiter()
    ) {
        self.name = name
        http = ModelHTTP(provider: name, endpoint: endpoint, client: client, waiter: waiter)
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelStreamEvent, any Error> {
        var headers: [(String, String)] = []
        if let key = http.endpoint.apiKey { headers.append(("authorization", "Bearer \(key.revealed)")) }
        let body: Data
        do {
            body = try Self.body(request).serialized()
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return http.stream(
            path: "/chat/completions",
            headers: headers,
            body: body,
            decoder: OpenAIStreamDecoder(provider: name, model: request.model)
        )
    }

    static func body(_ request: ModelRequest) throws -> JSONValue {
        var messages: [JSONValue] = []
        if !request.system.isEmpty { messages.append(.object(["role": "system", "content": .string(request.system)])) }
        for message in request.messages { messages += try Self.messages(message) }
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "messages": .array(messages),
            "max_tokens": .number(Decimal(request.maxTokens)),
            "stream": true,
            "stream_options": .object(["include_usage": true]),
        ]
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map {
                    .object([
                        "type": "function",
                        "function": .object(["name": .string($0.name), "description": .string($0.description), "parameters": $0.inputSchema]),
                    ])
                }
            )
        }
        switch request.toolChoice {
        case nil: break
        case .auto: body["tool_choice"] = "auto"
        case .any: body["tool_choice"] = "required"
        case .tool(let name): body["tool_choice"] = .object(["type": "function", "function": .object(["name": .string(name)])])
        }
        return .object(body)
    }

    /// One of Gaffer's messages as chat messages: tool results are messages of their own (`role: tool`).
    private static func messages(_ message: ModelMessage) throws -> [JSONValue] {
        var out: [JSONValue] = []
        let text = message.content.compactMap(\.text).joined(separator: "\n")
        switch message.role {
        case .user:
            for case .toolResult(let id, let content, let isError) in message.content {
                out.append(.object(["role": "tool", "tool_call_id": .string(id), "content": .string(isError ? "error: \(content)" : content)]))
            }
            if !text.isEmpty { out.append(.object(["role": "user", "content": .string(text)])) }
        case .assistant:
            var calls: [JSONValue] = []
            for case .toolUse(let id, let name, let input) in message.content {
                let arguments = String(decoding: input.serialized(), as: UTF8.self)
                calls.append(
                    .object(["id": .string(id), "type": "function", "function": .object(["name": .string(name), "arguments": .string(arguments)])])
                )
            }
            var turn: [String: JSONValue] = ["role": "assistant", "content": text.isEmpty ? .null : .string(text)]
            if !calls.isEmpty { turn["tool_calls"] = .array(calls) }
            out.append(.object(turn))
        }
        return out
    }
}

/// Gathers chat completion chunks: `choices[0].delta` content and tool calls (by index, arguments in pieces),
/// `finish_reason`, the usage chunk (`stream_options.include_usage`), then `[DONE]`.
struct OpenAIStreamDecoder: ModelStreamDecoder {
    let provider: String
    var model: String
    private var text = ""
    private var calls: [Int: (id: String, name: String, arguments: String)] = [:]
    private var stopReason: ModelStopReason?
    private var usage = ModelUsage()
    private var done = false

    init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    mutating func read(_ event: ServerSentEvent) throws -> [ModelStreamEvent] {
        if event.data == "[DONE]" {
            done = true
            return []
        }
        guard !event.data.isEmpty else { return [] }
        let chunk = try JSONValue.decode(Data(event.data.utf8))
        if let error = chunk["error"] {
            let message = error["message"]?.stringValue ?? "no message"
            throw ModelError(provider: provider, kind: .streamError, message: "the answer stopped with an error: \(message)")
        }
        if let name = chunk["model"]?.stringValue, !name.isEmpty { model = name }
        if case .object = chunk["usage"] ?? .null, let counts = chunk["usage"] {
            let cached = counts["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0
            usage.inputTokens = max(0, (counts["prompt_tokens"]?.intValue ?? 0) - cached)
            usage.cacheReadTokens = cached
            usage.outputTokens = counts["completion_tokens"]?.intValue ?? 0
        }
        guard let choice = chunk["choices"]?[0] else { return [] }
        var events: [ModelStreamEvent] = []
        if let piece = choice["delta"]?["content"]?.stringValue, !piece.isEmpty {
            text += piece
            events.append(.textDelta(piece))
        }
        if case .array(let deltas)? = choice["delta"]?["tool_calls"] {
            for delta in deltas {
                guard let index = delta["index"]?.intValue else { throw malformed("a tool call without index") }
                var call = calls[index] ?? ("", "", "")
                if let id = delta["id"]?.stringValue { call.id = id }
                if let name = delta["function"]?["name"]?.stringValue { call.name += name }
                if let arguments = delta["function"]?["arguments"]?.stringValue { call.arguments += arguments }
                calls[index] = call
            }
        }
        if let reason = choice["finish_reason"]?.stringValue {
            stopReason =
                switch reason {
                case "stop": .endTurn
                case "tool_calls", "function_call": .toolUse
                case "length": .maxTokens
                case "content_filter": .refusal
                default: .other
                }
            events += try toolUses().map { .toolUse(id: $0.id, name: $0.name, input: $0.input) }
        }
        return events
    }

    mutating func finish() throws -> [ModelStreamEvent] {
        guard done, let stopReason else { throw malformed("the stream ended before finish_reason and [DONE]") }
        var content: [ModelContent] = text.isEmpty ? [] : [.text(text)]
        content += try toolUses().map { .toolUse(id: $0.id, name: $0.name, input: $0.input) }
        return [.done(ModelResponse(model: model, content: content, stopReason: stopReason, usage: usage))]
    }

    private func toolUses() throws -> [(id: String, name: String, input: JSONValue)] {
        try calls.keys.sorted().compactMap { index in
            guard let call = calls[index] else { return nil }
            guard !call.id.isEmpty, !call.name.isEmpty else { throw malformed("a tool call without id or name") }
            return (call.id, call.name, try AnthropicStreamDecoder.input(call.arguments, provider: provider))
        }
    }

    private func malformed(_ what: String) -> ModelError {
        ModelError(provider: provider, kind: .malformed, message: "the event stream broke the chat completions protocol: \(what)")
    }
}
