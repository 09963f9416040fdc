import Crypto
import Foundation
import GafferCore
import HTTPTypes
import Hummingbird
import Logging
import MCP
import NIOCore

/// MCP's streamable HTTP on `/mcp`, behind a bearer token: one session (a server and its transport) per client,
/// made by its `initialize` and ended by `DELETE` or after `idleTimeout` without a request. A client whose
/// `initialize` carries its person's own GitHub token (`X-GitHub-Token`) gets, when the operator allows them, the
/// write tools acting as that person for the session's life; the token is kept only in the session's memory.
public actor MCPHTTPEndpoint {
    /// The tools of a session that acts as the person whose GitHub token it was given; throws when GitHub refuses it.
    public typealias PersonalTools = @Sendable (Secret) async throws -> (login: String, tools: GafferTools)

    /// The header a client puts its person's GitHub token in.
    public static let gitHubTokenHeader = "x-github-token"
    private struct Session {
        let server: Server
        let transport: StatefulHTTPServerTransport
        var lastUsed: ContinuousClock.Instant
    }

    private let tools: GafferTools
    private let personal: PersonalTools?
    private let tokenDigest: SHA256Digest
    private let idleTimeout: Duration
    private let logger: Logger
    private var sessions: [String: Session] = [:]

    public init(
        tools: GafferTools,
        token: Secret,
        personal: PersonalTools? = nil,
        idleTimeout: Duration = .seconds(1800),
        logger: Logger = Logger(label: "gaffer.mcp")
    ) {
        self.tools = tools
        self.personal = personal
        self.tokenDigest = SHA256.hash(data: Data(token.revealed.utf8))
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    /// The routes, on a router of the caller's.
    public nonisolated func register(on router: Router<BasicRequestContext>, path: RouterPath = "/mcp") {
        for method in [HTTPRequest.Method.post, .get, .delete] {
            router.on(path, method: method) { request, _ in try await self.respond(request) }
        }
    }

    private func respond(_ request: Request) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // Compared as digests, so the time taken says nothing about the token.
        let given = headers["authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        guard SHA256.hash(data: Data(given.utf8)) == tokenDigest else {
            logger.notice("mcp request refused: no valid bearer token")
            return Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Bearer", .contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"error":"a bearer token is required: Authorization: Bearer <mcp_token>"}"#))
            )
        }
        let body = Data(try await request.body.collect(upTo: 4 << 20).readableBytesView)
        let answer = await handle(MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: body, path: request.uri.path))
        var fields = HTTPFields()
        for (name, value) in answer.headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        switch answer {
        case .stream(let stream, _):
            let bytes = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                let task = Task {
                    do {
                        for try await chunk in stream { continuation.yield(ByteBuffer(bytes: chunk)) }
                        continuation.finish()
                    } catch { continuation.finish(throwing: error) }
                }
                continuation.onTermination = { _ in task.cancel() }
            }
            return Response(status: .ok, headers: fields, body: ResponseBody(asyncSequence: bytes))
        default:
            return Response(
                status: .init(code: answer.statusCode),
                headers: fields,
                body: .init(byteBuffer: ByteBuffer(bytes: answer.bodyData ?? Data()))
            )
        }
    }

    private func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        await closeIdle()
        if let id = request.header(HTTPHeaderName.sessionID) {
            guard var session = sessions[id] else { return .error(statusCode: 404, .invalidRequest("the session has ended; initialize a new one")) }
            session.lastUsed = .now
            sessions[id] = session
            let response = await session.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE", response.statusCode == 200 { await close(id) }
            return response
        }
        guard request.method.uppercased() == "POST", let body = request.body, (try? JSONValue.decode(body))?["method"] == "initialize" else {
            return .error(statusCode: 400, .invalidRequest("send initialize first, then \(HTTPHeaderName.sessionID) with every request"))
        }
        var sessionTools = tools
        if let given = request.header(Self.gitHubTokenHeader), !given.isEmpty {
            guard let personal else {
                return .error(
                    statusCode: 403,
                    .invalidRequest(
                        "the write tools are off here; the operator turns them on with mcp_write_tools (leave out X-GitHub-Token to read)"
                    )
                )
            }
            do {
                let (login, tools) = try await personal(Secret(given))
                sessionTools = tools
                logger.notice("mcp session acts as a GitHub user", metadata: ["login": "\(login)"])
            } catch {
                logger.notice("mcp session refused: GitHub did not accept the token in X-GitHub-Token")
                return .error(statusCode: 401, .invalidRequest("GitHub did not accept the token in X-GitHub-Token; send the person's own token"))
            }
        }
        let id = UUID().uuidString
        let transport = StatefulHTTPServerTransport(sessionIDGenerator: FixedSessionID(id: id), logger: logger)
        let server = await GafferMCPServer.make(tools: sessionTools)
        do {
            try await server.start(transport: transport)
        } catch {
            return .error(statusCode: 500, .internalError("the session could not start: \(error)"))
        }
        sessions[id] = Session(server: server, transport: transport, lastUsed: .now)
        let response = await transport.handleRequest(request)
        if case .error = response { await close(id) }
        return response
    }

    private func close(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
    }

    private func closeIdle() async {
        let now = ContinuousClock.now
        for (id, session) in sessions where now - session.lastUsed > idleTimeout { await close(id) }
    }

    /// Ends every session (at shutdown).
    public func closeAll() async {
        for id in Array(sessions.keys) { await close(id) }
    }

    private struct FixedSessionID: SessionIDGenerator {
        let id: String
        func generateSessionID() -> String { id }
    }
}
