import Foundation
import GafferCore
import GafferModels
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A stand-in for model providers: serves Anthropic's Messages API (`POST /v1/messages`), OpenAI's chat
/// completions (`POST /v1/chat/completions`) and Bedrock's Converse (`POST /model/{id}/converse-stream`, SigV4-signed)
/// on one port, checks every request against the documented shape and signature (answering in the provider's own
/// error format when it is wrong), and streams scripted answers as the provider would, split into many small chunks.
public final class ModelSandbox: Sendable {
    /// A request as the sandbox received it, after its checks.
    public struct Received: Sendable {
        public var api: API
        /// The path as sent, percent-encoding kept (Bedrock's names the model).
        public var path: String
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: JSONValue
    }

    public enum API: String, Sendable { case anthropic, openai, bedrock }

    /// What the sandbox answers next.
    public enum Answer: Sendable {
        case turn(ScriptedTurn)
        /// An HTTP error in the provider's format, with `retry-after` when given.
        case failure(status: Int, retryAfter: String? = nil, message: String = "scripted failure")
        /// A stream that starts well and then reports an error event.
        case streamError(message: String)
    }

    private struct State {
        var script: [Answer] = []
        var received: [Received] = []
        var refusals: [String] = []
    }

    private let state = Mutex(State())
    /// The key clients must send (`x-api-key` or `Authorization: Bearer`).
    public let apiKey: String

    /// The AWS access keys Bedrock requests may be signed with, and their secrets.
    public let awsSecrets: [String: String]
    /// The region Bedrock requests must be signed for.
    public let bedrockRegion: String
    /// The access key and secret the sandbox knows unless told others.
    public static let awsAccessKeyID = "AKIASANDBOXMODELS000"
    public static let awsSecretAccessKey = "sandbox-models-secret"

    /// Told of each request: what was answered, or why it was refused.
    private let report: @Sendable (String) -> Void

    public init(
        apiKey: String = "sk-sandbox-key",
        awsSecrets: [String: String] = [awsAccessKeyID: awsSecretAccessKey],
        bedrockRegion: String = "us-east-1",
        report: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.apiKey = apiKey
        self.awsSecrets = awsSecrets
        self.bedrockRegion = bedrockRegion
        self.report = report
    }

    /// Queues answers, served in order, one per request; a request with none queued gets a 500 saying so.
    public func enqueue(_ answers: Answer...) { enqueue(answers) }
    public func enqueue(_ answers: [Answer]) { state.withLock { $0.script += answers } }

    /// Every request that passed the checks, in order.
    public var received: [Received] { state.withLock { $0.received } }
    /// Why each refused request was refused, in order.
    public var refusals: [String] { state.withLock { $0.refusals } }
    /// Answers not yet served.
    public var pending: Int { state.withLock { $0.script.count } }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/messages") { request, _ in try await self.serve(.anthropic, request) }
        router.post("/v1/chat/completions") { request, _ in try await self.serve(.openai, request) }
        router.post("/model/:model/converse-stream") { request, _ in try await self.serve(.bedrock, request) }
        return router
    }

    /// The server on 127.0.0.1 and `port` (0 picks a free port, reported to `onServerRunning`).
    public func makeApplication(port: Int = 0, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "model-sandbox"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }
        )
    }

    private func serve(_ api: API, _ request: Request) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        // HTTP/1.1's Host arrives as the authority; Bedrock's signature covers it.
        if let authority = request.head.authority { headers["host"] = authority }
        let data = Data(try await request.body.collect(upTo: 32 << 20).readableBytesView)
        var model = ""
        if api == .bedrock {
            let segments = request.uri.path.split(separator: "/")
            model = segments.count == 3 ? (String(segments[1]).removingPercentEncoding ?? "") : ""
            if let refusal = BedrockWireRules.checkSignature(
                method: "POST",
                rawPath: request.uri.path,
                headers: headers,
                body: data,
                secrets: awsSecrets,
                region: bedrockRegion,
                now: Date()
            ) {
                return refuse(api, status: refusal.status, kind: refusal.type, refusal.message)
            }
            guard headers["accept"] == "application/vnd.amazon.eventstream" else {
                return refuse(api, status: 400, kind: "ValidationException", "accept must be application/vnd.amazon.eventstream for a stream")
            }
        } else {
            let key = api == .anthropic ? headers["x-api-key"] : headers["authorization"].map { $0.replacingOccurrences(of: "Bearer ", with: "") }
            guard key == apiKey else {
                return refuse(api, status: 401, kind: api == .anthropic ? "authentication_error" : "invalid_api_key", "invalid api key")
            }
        }
        let body: JSONValue
        do {
            body = try JSONValue.decode(data)
        } catch {
            return refuse(api, status: 400, kind: api == .bedrock ? "SerializationException" : "invalid_request_error", "the body is not JSON")
        }
        let problem =
            switch api {
            case .anthropic: AnthropicWireRules.problem(headers: headers, body: body)
            case .openai: OpenAIWireRules.problem(headers: headers, body: body)
            case .bedrock: BedrockWireRules.problem(headers: headers, body: body)
            }
        if let problem { return refuse(api, status: 400, kind: api == .bedrock ? "ValidationException" : "invalid_request_error", problem) }
        let answer = state.withLock { state -> Answer? in
            state.received.append(
                Received(api: api, path: request.uri.path, headers: headers.filter { $0.key != "x-api-key" && $0.key != "authorization" }, body: body)
            )
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        if api != .bedrock { model = body["model"]?.stringValue ?? "" }
        switch answer {
        case nil:
            return refuse(api, status: 500, kind: "api_error", "the sandbox has no scripted answer left")
        case .failure(let status, let retryAfter, let message)?:
            let kind =
                api == .bedrock
                ? (status == 429 ? "ThrottlingException" : "ServiceUnavailableException")
                : (status == 429 ? "rate_limit_error" : "overloaded_error")
            var response = refuse(api, status: status, kind: kind, message, record: false)
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .turn(let turn)?:
            report("\(api.rawValue): answered a turn (\(turn.toolUses.map(\.name).joined(separator: ", ")))")
            return Self.stream(Self.streamedBytes(turn, api: api, model: model), api: api)
        case .streamError(let message)?:
            if api == .bedrock {
                let messages =
                    BedrockWireRules.messages(ScriptedTurn(text: "Partial")).prefix(2) + [
                        BedrockWireRules.exception("modelStreamErrorException", message: message)
                    ]
                return Self.stream(messages.flatMap { $0.encoded() }, api: api)
            }
            let events =
                api == .anthropic
                ? Array(AnthropicWireRules.events(ScriptedTurn(text: "Partial"), model: model).prefix(3)) + [
                    "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"\(message)\"}}\n\n"
                ]
                : Array(OpenAIWireRules.events(ScriptedTurn(text: "Partial"), model: model).prefix(2)) + [
                    "data: {\"error\":{\"message\":\"\(message)\",\"type\":\"server_error\"}}\n\n"
                ]
            return Self.stream(Array(events.joined().utf8), api: api)
        }
    }

    /// The event stream the sandbox sends for `turn`, whole: for replaying it without a server.
    public static func streamedBytes(_ turn: ScriptedTurn, api: API, model: String) -> [UInt8] {
        switch api {
        case .anthropic: Array(AnthropicWireRules.events(turn, model: model).joined().utf8)
        case .openai: Array(OpenAIWireRules.events(turn, model: model).joined().utf8)
        case .bedrock: BedrockWireRules.messages(turn).flatMap { $0.encoded() }
        }
    }

    private func refuse(_ api: API, status: Int, kind: String, _ message: String, record: Bool = true) -> Response {
        if record { state.withLock { $0.refusals.append(message) } }
        report("\(api.rawValue): answered \(status): \(message)")
        let error: JSONValue =
            switch api {
            case .anthropic: .object(["type": "error", "error": .object(["type": .string(kind), "message": .string(message)])])
            case .openai: .object(["error": .object(["message": .string(message), "type": .string(kind), "code": .null])])
            case .bedrock: .object(["message": .string(message)])
            }
        let bytes = (try? error.encoded()) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json"]
        if api == .bedrock, let name = HTTPField.Name("x-amzn-ErrorType") {
            headers[name] = "\(kind):http://internal.amazon.com/coral/com.amazon.bedrock/"
        }
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The body in pieces of at most 7 bytes, so a client must put lines, characters and messages together itself.
    private static func stream(_ bytes: [UInt8], api: API) -> Response {
        let pieces = stride(from: 0, to: bytes.count, by: 7).map { ByteBuffer(bytes: bytes[$0..<min($0 + 7, bytes.count)]) }
        let (body, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        for piece in pieces { continuation.yield(piece) }
        continuation.finish()
        return Response(
            status: .ok,
            headers: [.contentType: api == .bedrock ? "application/vnd.amazon.eventstream" : "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody(asyncSequence: body)
        )
    }
}

/// One answer of a scripted model: its text, the tools it asks for, why it stopped and what it used.
public struct ScriptedTurn: Sendable, Hashable, Codable {
    public struct ToolUse: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public var input: JSONValue

        public init(id: String, name: String, input: JSONValue) {
            self.id = id
            self.name = name
            self.input = input
        }
    }

    public var text: String
    public var toolUses: [ToolUse]
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheReadTokens: Int

    public init(text: String = "", toolUses: [ToolUse] = [], inputTokens: Int = 100, outputTokens: Int = 20, cacheReadTokens: Int = 0) {
        self.text = text
        self.toolUses = toolUses
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
    }

    enum CodingKeys: String, CodingKey {
        case text, toolUses = "tool_uses", inputTokens = "input_tokens", outputTokens = "output_tokens", cacheReadTokens = "cache_read_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decodeIfPresent(String.self, forKey: .text) ?? ""
        toolUses = try container.decodeIfPresent([ToolUse].self, forKey: .toolUses) ?? []
        inputTokens = try container.decodeIfPresent(Int.self, forKey: .inputTokens) ?? 100
        outputTokens = try container.decodeIfPresent(Int.self, forKey: .outputTokens) ?? 20
        cacheReadTokens = try container.decodeIfPresent(Int.self, forKey: .cacheReadTokens) ?? 0
    }

    /// The text in a few pieces, as providers stream it.
    var textPieces: [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " && current.count > 8 {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// A JSON text in three pieces, cut anywhere.
    static func thirds(_ text: String) -> [String] {
        let characters = Array(text)
        let third = max(1, characters.count / 3)
        return [String(characters.prefix(third)), String(characters.dropFirst(third).prefix(third)), String(characters.dropFirst(2 * third))]
            .filter { !$0.isEmpty }
    }
}
