import AsyncHTTPClient
import Foundation
import GafferCore
import GafferHTTP

/// Anthropic's Messages API (`POST /v1/messages`, streamed), as documented at docs.anthropic.com.
public struct AnthropicMessagesProvider: ModelProvider {
    public let name = "anthropic"
    public static let apiVersion = "2023-06-01"
    let http: ModelHTTP

    public init(endpoint: ModelEndpoint, client: HTTPClient = OutboundHTTPClient.shared, waiter: any RetryWaiter = TaskSleepWaiter()) {
        http = ModelHTTP(provider: name, endpoint: endpoint, client: client, waiter: waiter)
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelStreamEvent, any Error> {
        var headers = [("anthropic-version", Self.apiVersion)]
        if let key = http.endpoint.apiKey { headers.append(("x-api-key", key.revealed)) }
        let body = Self.body(request).serialized()
        return http.stream(path: "/v1/messages", headers: headers, body: body, decoder: AnthropicStreamDecoder(provider: name, model: request.model))
    }

    /// The request body as the Messages API takes it.
    static func body(_ request: ModelRequest) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "max_tokens": .number(Decimal(request.maxTokens)),
            "stream": .bool(true),
            "messages": .array(request.messages.map(message)),
        ]
        if !request.system.isEmpty { body["system"] = .string(request.system) }
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { .object(["name": .string($0.name), "description": .string($0.description), "input_schema": $0.inputSchema]) }
            )
        }
        switch request.toolChoice {
        case nil: break
        case .auto: body["tool_choice"] = .object(["type": "auto"])
        case .any: body["tool_choice"] = .object(["type": "any"])
        case .tool(let name): body["tool_choice"] = .object(["type": "tool", "name": .string(name)])
        }
        return .object(body)
    }

    private static func message(_ message: ModelMessage) -> JSONValue {
        .object([
            "role": .string(message.role.rawValue),
            "content": .array(
                message.content.map { content in
                    switch content {
                    case .text(let text): .object(["type": "text", "text": .string(text)])
                    case .toolUse(let id, let name, let input):
                        .object(["type": "tool_use", "id": .string(id), "name": .string(name), "input": input])
                    case .toolResult(let id, let text, let isError):
                        .object(["type": "tool_result", "tool_use_id": .string(id), "content": .string(text), "is_error": .bool(isError)])
                    }
                }
            ),
        ])
    }
}

/// Gathers the Messages API's stream: `message_start`, `content_block_start`/`_delta`/`_stop`, `message_delta`,
/// `message_stop`; `ping` and unknown events (new kinds of delta included) are skipped, as Anthropic asks.
struct AnthropicStreamDecoder: ModelStreamDecoder {
    let provider: String
    var model: String
    private var blocks: [Int: Block] = [:]
    private var usage = ModelUsage()
    private var stopReason: ModelStopReason?
    private var stopped = false

    private enum Block: Sendable {
        case text(String)
        case toolUse(id: String, name: String, json: String)
        case ignored
    }

    init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    mutating func read(_ event: ServerSentEvent) throws -> [ModelStreamEvent] {
        guard !event.data.isEmpty else { return [] }
        let json = try JSONValue.decode(Data(event.data.utf8))
        let type = json["type"]?.stringValue ?? event.event
        switch type {
        case "message_start":
            if let name = json["message"]?["model"]?.stringValue { model = name }
            if let start = json["message"]?["usage"] { merge(start) }
        case "content_block_start":
            guard let index = json["index"]?.intValue, let block = json["content_block"] else { throw malformed("content_block_start without index") }
            switch block["type"]?.stringValue {
            case "text": blocks[index] = .text(block["text"]?.stringValue ?? "")
            case "tool_use":
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else { throw malformed("tool_use without id or name") }
                blocks[index] = .toolUse(id: id, name: name, json: "")
            default: blocks[index] = .ignored
            }
        case "content_block_delta":
            guard let index = json["index"]?.intValue, let delta = json["delta"], let block = blocks[index] else {
                throw malformed("a delta for a block that was not started")
            }
            switch (block, delta["type"]?.stringValue) {
            case (.text(let text), "text_delta"):
                let piece = delta["text"]?.stringValue ?? ""
                blocks[index] = .text(text + piece)
                return [.textDelta(piece)]
            case (.toolUse(let id, let name, let partial), "input_json_delta"):
                blocks[index] = .toolUse(id: id, name: name, json: partial + (delta["partial_json"]?.stringValue ?? ""))
            default: break
            }
        case "content_block_stop":
            guard let index = json["index"]?.intValue, case .toolUse(let id, let name, let partial)? = blocks[index] else { return [] }
            return [.toolUse(id: id, name: name, input: try Self.input(partial, provider: provider))]
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.stringValue { stopReason = ModelStopReason(rawValue: reason) ?? .other }
            if let more = json["usage"] { merge(more) }
        case "message_stop":
            stopped = true
        case "error":
            let kind = json["error"]?["type"]?.stringValue ?? "error"
            let message = json["error"]?["message"]?.stringValue ?? "no message"
            throw ModelError(provider: provider, kind: .streamError, message: "the answer stopped with \(kind): \(message)")
        default: break
        }
        return []
    }

    mutating func finish() throws -> [ModelStreamEvent] {
        guard stopped, let stopReason else { throw malformed("the stream ended before message_stop") }
        let content = blocks.keys.sorted().compactMap { index -> ModelContent? in
            switch blocks[index] {
            case .text(let text)?: .text(text)
            case .toolUse(let id, let name, let partial)?:
                (try? Self.input(partial, provider: provider)).map { .toolUse(id: id, name: name, input: $0) }
            case .ignored?, nil: nil
            }
        }
        return [.done(ModelResponse(model: model, content: content, stopReason: stopReason, usage: usage))]
    }

    /// Usage counts are totals so far: a later event's figure replaces an earlier one.
    private mutating func merge(_ counts: JSONValue) {
        if let value = counts["input_tokens"]?.intValue { usage.inputTokens = value }
        if let value = counts["output_tokens"]?.intValue { usage.outputTokens = value }
        if let value = counts["cache_creation_input_tokens"]?.intValue { usage.cacheWriteTokens = value }
        if let value = counts["cache_read_input_tokens"]?.intValue { usage.cacheReadTokens = value }
    }

    /// A tool's whole input; an empty one is `{}` (a tool without parameters streams no JSON).
    static func input(_ json: String, provider: String) throws -> JSONValue {
        guard !json.isEmpty else { return .object([:]) }
        guard let value = try? JSONValue.decode(Data(json.utf8)), case .object = value else {
            throw ModelError(provider: provider, kind: .malformed, message: "a tool's input is not a JSON object: \(json.prefix(200))")
        }
        return value
    }

    private func malformed(_ what: String) -> ModelError {
        ModelError(provider: provider, kind: .malformed, message: "the event stream broke the Messages API's protocol: \(what)")
    }
}
