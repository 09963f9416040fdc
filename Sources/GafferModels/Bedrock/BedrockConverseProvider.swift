import AsyncHTTPClient
import Foundation
import GafferAWS
import GafferCore
import GafferHTTP

/// Amazon Bedrock's Converse API, streamed (`POST /model/{modelId}/converse-stream`), signed with Gaffer's own SigV4
/// (service `bedrock`) and answered in AWS's event-stream encoding, as documented in the Bedrock API reference.
public struct BedrockConverseProvider: ModelProvider {
    public let name = "bedrock"
    public let region: String
    let http: ModelHTTP

    /// - Parameters:
    ///   - region: the region whose Bedrock runtime is called; it is also the signature's scope.
    ///   - endpoint: the runtime's root; `ModelEndpoint.apiKey` is unused (AWS credentials sign instead).
    ///   - credentials: AWS credentials, resolved (and refreshed) before each attempt.
    ///   - now: the signing time.
    public init(
        region: String,
        endpoint: ModelEndpoint? = nil,
        credentials: any AWSCredentialProvider,
        client: HTTPClient = OutboundHTTPClient.shared,
        waiter: any RetryWaiter = TaskSleepWaiter(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.region = region
        var http = ModelHTTP(
            provider: name,
            endpoint: endpoint ?? ModelEndpoint(baseURL: Self.defaultBaseURL(region: region)),
            client: client,
            waiter: waiter
        )
        http.accept = "application/vnd.amazon.eventstream"
        http.credentialsHint =
            "check Gaffer's AWS credentials (the same as for its AWS work), that they may call bedrock:InvokeModelWithResponseStream, and that the model is enabled in \(region)"
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "", secretAccessKey: Secret("")), region: region, service: "bedrock")
        http.sign = { url, headers, body in
            let resolved: ResolvedCredentials
            do {
                resolved = try await credentials.resolve()
            } catch {
                throw ModelError(provider: "bedrock", kind: .unauthorized, message: "no AWS credentials to sign with: \(error)")
            }
            var signer = signer
            signer.credentials = resolved.credentials
            return Self.signature(url: url, headers: headers, body: body, signer: signer, at: now())
        }
        self.http = http
    }

    /// The runtime's root this provider calls.
    public var baseURL: String { http.endpoint.baseURL }

    public static func defaultBaseURL(region: String) -> String { "https://bedrock-runtime.\(region).amazonaws.com" }

    /// The path of a model's streamed conversation: the model ID (or ARN) is one path segment, percent-encoded.
    public static func path(model: String) -> String { "/model/\(SigV4Signer.encode(model))/converse-stream" }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelStreamEvent, any Error> {
        guard let host = URL(string: http.endpoint.baseURL)?.host else {
            return AsyncThrowingStream { $0.finish(throwing: ModelError(provider: name, kind: .rejected, message: "bedrock_base_url has no host")) }
        }
        let port = URL(string: http.endpoint.baseURL)?.port.map { ":\($0)" } ?? ""
        return http.stream(
            path: Self.path(model: request.model),
            headers: [("host", host + port)],
            body: Self.body(request).serialized(),
            framing: EventStreamFraming(),
            decoder: BedrockStreamDecoder(provider: name, model: request.model)
        )
    }

    /// The headers that sign one request: `X-Amz-Date`, the session token when there is one, and `Authorization`
    /// over the host, the content type, `accept` and the date.
    static func signature(url: String, headers: [(String, String)], body: Data, signer: SigV4Signer, at date: Date) -> [(String, String)] {
        let signed: Set<String> = ["host", "content-type", "accept"]
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        let path = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
        let parts = HTTPRequestParts(
            method: "POST",
            path: path,
            headers: headers.filter { signed.contains($0.0.lowercased()) }.map { (name: $0.0, value: $0.1) },
            body: body
        )
        return signer.sign(parts, at: date).additions.map { ($0.name, $0.value) }
    }

    /// The request body as Converse takes it: the model is in the path, not the body.
    static func body(_ request: ModelRequest) -> JSONValue {
        var body: [String: JSONValue] = [
            "messages": .array(request.messages.map(message)),
            "inferenceConfig": .object(["maxTokens": .number(Decimal(request.maxTokens))]),
        ]
        if !request.system.isEmpty { body["system"] = .array([.object(["text": .string(request.system)])]) }
        if !request.tools.isEmpty {
            var config: [String: JSONValue] = [
                "tools": .array(
                    request.tools.map {
                        .object([
                            "toolSpec": .object([
                                "name": .string($0.name), "description": .string($0.description), "inputSchema": .object(["json": $0.inputSchema]),
                            ])
                        ])
                    }
                )
            ]
            switch request.toolChoice {
            case nil: break
            case .auto: config["toolChoice"] = .object(["auto": .object([:])])
            case .any: config["toolChoice"] = .object(["any": .object([:])])
            case .tool(let name): config["toolChoice"] = .object(["tool": .object(["name": .string(name)])])
            }
            body["toolConfig"] = .object(config)
        }
        return .object(body)
    }

    private static func message(_ message: ModelMessage) -> JSONValue {
        .object([
            "role": .string(message.role.rawValue),
            "content": .array(
                message.content.map { content in
                    switch content {
                    case .text(let text): .object(["text": .string(text)])
                    case .toolUse(let id, let name, let input):
                        .object(["toolUse": .object(["toolUseId": .string(id), "name": .string(name), "input": input])])
                    case .toolResult(let id, let text, let isError):
                        .object([
                            "toolResult": .object([
                                "toolUseId": .string(id), "content": .array([.object(["text": .string(text)])]),
                                "status": isError ? "error" : "success",
                            ])
                        ])
                    }
                }
            ),
        ])
    }
}

/// Gathers Converse's stream: `messageStart`, `contentBlockStart` (tool uses), `contentBlockDelta` (text, or a tool's
/// input in pieces), `contentBlockStop`, `messageStop` (the stop reason), `metadata` (usage). Unknown events and
/// fields (the `p` padding among them) are skipped; an exception ends the call with its type and message.
struct BedrockStreamDecoder: ModelStreamDecoder {
    let provider: String
    let model: String
    private var blocks: [Int: Block] = [:]
    private var usage = ModelUsage()
    private var stopReason: ModelStopReason?
    private var sawMetadata = false

    private enum Block: Sendable {
        case text(String)
        case toolUse(id: String, name: String, json: String)
    }

    init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    mutating func read(_ event: ServerSentEvent) throws -> [ModelStreamEvent] {
        if event.event.hasPrefix("exception:") || event.event.hasPrefix("error:") {
            let type = event.event.split(separator: ":", maxSplits: 1).last.map(String.init) ?? "exception"
            let message = (try? JSONValue.decode(Data(event.data.utf8)))?["message"]?.stringValue ?? event.data
            throw ModelError(provider: provider, kind: .streamError, message: "the answer stopped with \(type): \(message.prefix(500))")
        }
        guard !event.data.isEmpty else { return [] }
        let json = try JSONValue.decode(Data(event.data.utf8))
        switch event.event {
        case "contentBlockStart":
            guard let index = json["contentBlockIndex"]?.intValue else { throw malformed("contentBlockStart without contentBlockIndex") }
            if let use = json["start"]?["toolUse"] {
                guard let id = use["toolUseId"]?.stringValue, let name = use["name"]?.stringValue else {
                    throw malformed("a toolUse start without toolUseId or name")
                }
                blocks[index] = .toolUse(id: id, name: name, json: "")
            }
        case "contentBlockDelta":
            guard let index = json["contentBlockIndex"]?.intValue, let delta = json["delta"] else {
                throw malformed("contentBlockDelta without contentBlockIndex or delta")
            }
            if let piece = delta["text"]?.stringValue {
                if case .toolUse = blocks[index] { throw malformed("text for a toolUse block") }
                if case .text(let text)? = blocks[index] { blocks[index] = .text(text + piece) } else { blocks[index] = .text(piece) }
                return [.textDelta(piece)]
            }
            if let piece = delta["toolUse"]?["input"]?.stringValue {
                guard case .toolUse(let id, let name, let partial)? = blocks[index] else {
                    throw malformed("toolUse input for a block that was not started")
                }
                blocks[index] = .toolUse(id: id, name: name, json: partial + piece)
            }
        case "contentBlockStop":
            guard let index = json["contentBlockIndex"]?.intValue, case .toolUse(let id, let name, let partial)? = blocks[index] else { return [] }
            return [.toolUse(id: id, name: name, input: try AnthropicStreamDecoder.input(partial, provider: provider))]
        case "messageStop":
            guard let reason = json["stopReason"]?.stringValue else { throw malformed("messageStop without stopReason") }
            stopReason =
                switch reason {
                case "end_turn": .endTurn
                case "tool_use": .toolUse
                case "max_tokens", "model_context_window_exceeded": .maxTokens
                case "stop_sequence": .stopSequence
                case "guardrail_intervened", "content_filtered": .refusal
                default: .other
                }
        case "metadata":
            sawMetadata = true
            let counts = json["usage"]
            if let value = counts?["inputTokens"]?.intValue { usage.inputTokens = value }
            if let value = counts?["outputTokens"]?.intValue { usage.outputTokens = value }
            if let value = counts?["cacheReadInputTokens"]?.intValue { usage.cacheReadTokens = value }
            if let value = counts?["cacheWriteInputTokens"]?.intValue { usage.cacheWriteTokens = value }
        default: break
        }
        return []
    }

    mutating func finish() throws -> [ModelStreamEvent] {
        guard let stopReason else { throw malformed("the stream ended before messageStop") }
        // Usage comes last, in `metadata`; without it the call's cost could not be counted against the budget.
        guard sawMetadata else { throw malformed("the stream ended before its metadata (the usage)") }
        let content = blocks.keys.sorted().compactMap { index -> ModelContent? in
            switch blocks[index] {
            case .text(let text)?: .text(text)
            case .toolUse(let id, let name, let partial)?:
                (try? AnthropicStreamDecoder.input(partial, provider: provider)).map { .toolUse(id: id, name: name, input: $0) }
            case nil: nil
            }
        }
        return [.done(ModelResponse(model: model, content: content, stopReason: stopReason, usage: usage))]
    }

    private func malformed(_ what: String) -> ModelError {
        ModelError(provider: provider, kind: .malformed, message: "the event stream broke the Converse API's protocol: \(what)")
    }
}
