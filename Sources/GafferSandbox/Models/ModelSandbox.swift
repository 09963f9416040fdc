import Foundation
import GafferCore
import Hummingbird
import NIOCore
import Synchronization

/// A stand-in for model providers: serves Anthropic's Messages API (`POST /v1/messages`) and OpenAI's chat
/// completions (`POST /v1/chat/completions`) on one port, checks every request against the documented shape
/// (answering 400 in the provider's own error format when it is wrong), and streams scripted answers as the
/// provider would, split into many small chunks.
public final class ModelSandbox: Sendable {
    /// A request as the sandbox received it, after its checks.
    public struct Received: Sendable {
        public var api: API
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: JSONValue
    }

    public enum API: String, Sendable { case anthropic, openai }

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

    /// Told of each request: what was answered, or why it was refused.
    private let report: @Sendable (String) -> Void

    public init(apiKey: String = "sk-sandbox-key", report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.apiKey = apiKey
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
        let data = Data(try await request.body.collect(upTo: 32 << 20).readableBytesView)
        let key = api == .anthropic ? headers["x-api-key"] : headers["authorization"].map { $0.replacingOccurrences(of: "Bearer ", with: "") }
        guard key == apiKey else {
            return refuse(api, status: 401, kind: api == .anthropic ? "authentication_error" : "invalid_api_key", "invalid api key")
        }
        let body: JSONValue
        do {
            body = try JSONValue.decode(data)
        } catch {
            return refuse(api, status: 400, kind: "invalid_request_error", "the body is not JSON")
        }
        let problem =
            switch api {
            case .anthropic: AnthropicWireRules.problem(headers: headers, body: body)
            case .openai: OpenAIWireRules.problem(headers: headers, body: body)
            }
        if let problem { return refuse(api, status: 400, kind: "invalid_request_error", problem) }
        let answer = state.withLock { state -> Answer? in
            state.received.append(Received(api: api, headers: headers.filter { $0.key != "x-api-key" && $0.key != "authorization" }, body: body))
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        let model = body["model"]?.stringValue ?? ""
        switch answer {
        case nil:
            return refuse(api, status: 500, kind: "api_error", "the sandbox has no scripted answer left")
        case .failure(let status, let retryAfter, let message)?:
            var response = refuse(api, status: status, kind: status == 429 ? "rate_limit_error" : "overloaded_error", message, record: false)
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .turn(let turn)?:
            report("\(api.rawValue): answered a turn (\(turn.toolUses.map(\.name).joined(separator: ", ")))")
            let events = api == .anthropic ? AnthropicWireRules.events(turn, model: model) : OpenAIWireRules.events(turn, model: model)
            return Self.stream(events)
        case .streamError(let message)?:
            let events =
                api == .anthropic
                ? Array(AnthropicWireRules.events(ScriptedTurn(text: "Partial"), model: model).prefix(3)) + [
                    "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"\(message)\"}}\n\n"
                ]
                : Array(OpenAIWireRules.events(ScriptedTurn(text: "Partial"), model: model).prefix(2)) + [
                    "data: {\"error\":{\"message\":\"\(message)\",\"type\":\"server_error\"}}\n\n"
                ]
            return Self.stream(events)
        }
    }

    /// The event stream the sandbox sends for `turn`, whole: for replaying it without a server.
    public static func streamedBody(_ turn: ScriptedTurn, api: API, model: String) -> String {
        (api == .anthropic ? AnthropicWireRules.events(turn, model: model) : OpenAIWireRules.events(turn, model: model)).joined()
    }

    private func refuse(_ api: API, status: Int, kind: String, _ message: String, record: Bool = true) -> Response {
        if record { state.withLock { $0.refusals.append(message) } }
        report("\(api.rawValue): answered \(status): \(message)")
        let error: JSONValue =
            api == .anthropic
            ? .object(["type": "error", "error": .object(["type": .string(kind), "message": .string(message)])])
            : .object(["error": .object(["message": .string(message), "type": .string(kind), "code": .null])])
        let bytes = (try? error.encoded()) ?? Data()
        return Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// Each event in pieces of at most 7 bytes, so a client must put lines and characters together itself.
    private static func stream(_ events: [String]) -> Response {
        let pieces = events.flatMap { event -> [ByteBuffer] in
            let bytes = Array(event.utf8)
            return stride(from: 0, to: bytes.count, by: 7).map { ByteBuffer(bytes: bytes[$0..<min($0 + 7, bytes.count)]) }
        }
        let (body, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        for piece in pieces { continuation.yield(piece) }
        continuation.finish()
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
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
