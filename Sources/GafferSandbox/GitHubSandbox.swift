import Crypto
import Foundation
import GafferGitHub
import HTTPTypes
import Hummingbird
import JWTKit
import NIOCore

/// A stand-in for github.com that serves the REST calls Gaffer makes, with
/// GitHub's shapes, authentication and rate-limit headers; for tests and for
/// a local demo. Its admin API lives under `/_sandbox/`, a path GitHub does not use.
public struct GitHubSandbox: Sendable {
    public let state: SandboxState
    public let webhooks: SandboxWebhooks

    public init(state: SandboxState = SandboxState(), webhooks: SandboxWebhooks = SandboxWebhooks()) {
        self.state = state
        self.webhooks = webhooks
    }

    /// Who a request is from.
    enum Caller {
        case user(String)
        case app
    }

    struct Answer {
        var status: Int
        var body: Data
        var headers: [String: String] = [:]

        init(_ status: Int, _ object: Any) {
            self.status = status
            self.body = SandboxJSON.data(object)
        }

        init(status: Int, body: Data) {
            self.status = status
            self.body = body
        }

        static func error(_ status: Int, _ message: String) -> Answer {
            Answer(status: status, body: SandboxJSON.error(message, status: status))
        }
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let repo = "/repos/:owner/:repo"
        router.post("\(repo)/issues") { request, context in
            try await serve(request, context) { caller, body, base in try await createIssue(context, body: body, base: base, caller: caller) }
        }
        router.get("\(repo)/issues") { request, context in
            try await serve(request, context) { caller, _, base in
                guard case .user(let login) = caller else { throw SandboxError(401, "Bad credentials") }
                let reply = try await state.listIssues(
                    try context.parameters.require("owner"),
                    try context.parameters.require("repo"),
                    state: request.uri.queryParameters.get("state") ?? "open",
                    labels: request.uri.queryParameters.get("labels"),
                    login: login,
                    base: base
                )
                return Answer(status: reply.status, body: reply.body)
            }
        }
        router.get("\(repo)/issues/:number") { request, context in
            try await serve(request, context) { caller, _, base in try await getIssue(context, base: base, caller: caller) }
        }
        router.patch("\(repo)/issues/:number") { request, context in
            try await serve(request, context) { caller, body, base in try await updateIssue(context, body: body, base: base, caller: caller) }
        }
        router.get("\(repo)/issues/:number/comments") { request, context in
            try await serve(request, context) { caller, _, base in try await listComments(request, context, base: base, caller: caller) }
        }
        router.post("\(repo)/issues/:number/comments") { request, context in
            try await serve(request, context) { caller, body, base in try await createComment(context, body: body, base: base, caller: caller) }
        }
        router.patch("\(repo)/issues/comments/:id") { request, context in
            try await serve(request, context) { caller, body, base in try await updateComment(context, body: body, base: base, caller: caller) }
        }
        router.delete("\(repo)/issues/comments/:id") { request, context in
            try await serve(request, context) { caller, _, _ in try await deleteComment(context, caller: caller) }
        }
        router.post("\(repo)/issues/:number/labels") { request, context in
            try await serve(request, context) { caller, body, base in try await addLabels(context, body: body, base: base, caller: caller) }
        }
        router.delete("\(repo)/issues/:number/labels/:name") { request, context in
            try await serve(request, context) { caller, _, base in try await removeLabel(context, base: base, caller: caller) }
        }
        router.post("\(repo)/issues/comments/:id/reactions") { request, context in
            try await serve(request, context) { caller, body, base in try await react(context, body: body, base: base, caller: caller) }
        }
        router.post("\(repo)/labels") { request, context in
            try await serve(request, context) { caller, body, _ in
                guard case .user(let login) = caller else { throw SandboxError(401, "Bad credentials") }
                let fields = (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
                guard let label = fields["name"] as? String else { throw SandboxError(422, "Validation Failed: name is missing") }
                let reply = try await state.createLabel(
                    try context.parameters.require("owner"),
                    try context.parameters.require("repo"),
                    label: label,
                    color: fields["color"] as? String,
                    description: fields["description"] as? String,
                    login: login
                )
                return Answer(status: reply.status, body: reply.body)
            }
        }
        router.get("\(repo)/labels/:name") { request, context in
            try await serve(request, context) { caller, _, _ in
                guard case .user(let login) = caller else { throw SandboxError(401, "Bad credentials") }
                let reply = try await state.getLabel(
                    try context.parameters.require("owner"),
                    try context.parameters.require("repo"),
                    label: try context.parameters.require("name"),
                    login: login
                )
                return Answer(status: reply.status, body: reply.body)
            }
        }
        router.post("\(repo)/issues/:number/reactions") { request, context in
            try await serve(request, context) { caller, body, base in try await reactToIssue(context, body: body, base: base, caller: caller) }
        }
        router.delete("\(repo)/git/refs/**") { request, context in
            try await serve(request, context) { caller, _, base in try await deleteRef(context, base: base, caller: caller) }
        }
        router.get("\(repo)/collaborators/:username/permission") { request, context in
            try await serve(request, context) { caller, _, base in try await permission(context, base: base, caller: caller) }
        }
        router.get("\(repo)/contents/**") { request, context in
            try await serve(request, context) { caller, _, base in
                try await contents(context, ref: request.uri.queryParameters.get("ref"), base: base, caller: caller)
            }
        }
        router.get("\(repo)/git/ref/**") { request, context in
            try await serve(request, context) { caller, _, base in try await getRef(context, base: base, caller: caller) }
        }
        router.post("\(repo)/git/refs") { request, context in
            try await serve(request, context) { caller, body, base in try await createRef(context, body: body, base: base, caller: caller) }
        }
        router.patch("\(repo)/git/refs/**") { request, context in
            try await serve(request, context) { caller, body, base in try await updateRef(context, body: body, base: base, caller: caller) }
        }
        router.get("\(repo)/pulls") { request, context in
            try await serve(request, context) { caller, _, base in try await listPulls(request, context, base: base, caller: caller) }
        }
        router.post("\(repo)/pulls") { request, context in
            try await serve(request, context) { caller, body, base in try await createPull(context, body: body, base: base, caller: caller) }
        }
        router.get("\(repo)/pulls/:number") { request, context in
            try await serve(request, context) { caller, _, base in try await getPull(context, base: base, caller: caller) }
        }
        router.patch("\(repo)/pulls/:number") { request, context in
            try await serve(request, context) { caller, body, base in try await updatePull(context, body: body, base: base, caller: caller) }
        }
        router.put("\(repo)/pulls/:number/merge") { request, context in
            try await serve(request, context) { caller, body, base in try await mergePull(context, body: body, base: base, caller: caller) }
        }
        router.post("\(repo)/check-runs") { request, context in
            try await serve(request, context) { caller, body, base in try await createCheckRun(context, body: body, base: base, caller: caller) }
        }
        router.get("\(repo)/commits/:ref/check-runs") { request, context in
            try await serve(request, context) { caller, _, base in
                let (owner, name) = (try context.parameters.require("owner"), try context.parameters.require("repo"))
                guard case .user(let login) = caller else { throw SandboxError(401, "Bad credentials") }
                let reply = try await state.checkRuns(
                    owner,
                    name,
                    ref: try context.parameters.require("ref"),
                    checkName: request.uri.queryParameters.get("check_name"),
                    login: login,
                    base: base
                )
                return Answer(status: reply.status, body: reply.body)
            }
        }
        router.post("\(repo)/check-runs/:id/rerequest") { request, context in
            try await serve(request, context) { caller, _, base in
                guard case .user(let login) = caller, let id = context.parameters.get("id").flatMap(Int64.init) else {
                    throw SandboxError(404, "Not Found")
                }
                let reply = try await state.rerequestCheckRun(
                    try context.parameters.require("owner"),
                    try context.parameters.require("repo"),
                    id: id,
                    login: login,
                    base: base
                )
                return Answer(status: reply.status, body: reply.body)
            }
        }
        router.get("\(repo)/check-runs/:id/annotations") { request, context in
            try await serve(request, context) { caller, _, _ in
                guard case .user(let login) = caller, let id = context.parameters.get("id").flatMap(Int64.init) else {
                    throw SandboxError(404, "Not Found")
                }
                let reply = try await state.checkRunAnnotations(
                    try context.parameters.require("owner"),
                    try context.parameters.require("repo"),
                    id: id,
                    login: login
                )
                return Answer(status: reply.status, body: reply.body)
            }
        }
        router.patch("\(repo)/check-runs/:id") { request, context in
            try await serve(request, context) { caller, body, base in try await updateCheckRun(context, body: body, base: base, caller: caller) }
        }
        router.post("/user/repos") { request, context in
            try await serve(request, context) { caller, body, _ in
                guard case .user(let login) = caller else { throw SandboxError(403, "Resource not accessible by integration") }
                guard let fields = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let name = fields["name"] as? String,
                    !name.isEmpty
                else {
                    throw SandboxError(422, "Validation Failed: name is required")
                }
                try await state.addRepository(owner: login, name: name)
                await state.setPermission("admin", for: login, in: "\(login)/\(name)")
                return Answer(
                    201,
                    ["name": name, "full_name": "\(login)/\(name)", "owner": ["login": login], "private": false, "default_branch": "main"]
                )
            }
        }
        router.put("\(repo)/collaborators/:username") { request, context in
            try await serve(request, context) { caller, body, _ in try await addCollaborator(context, body: body, caller: caller) }
        }
        router.get("\(repo)/pulls/:number/comments") { request, context in
            try await serve(request, context) { caller, _, base in try await reviewComments(context, base: base, caller: caller) }
        }
        router.post("\(repo)/pulls/:number/comments") { request, context in
            try await serve(request, context) { caller, body, base in try await createReviewComment(context, body: body, base: base, caller: caller) }
        }
        router.get("\(repo)/pulls/:number/reviews") { request, context in
            try await serve(request, context) { caller, _, base in try await reviews(context, base: base, caller: caller) }
        }
        router.post("\(repo)/pulls/:number/reviews") { request, context in
            try await serve(request, context) { caller, body, base in try await review(context, body: body, base: base, caller: caller) }
        }
        router.get("/orgs/:org/teams/:team/memberships/:username") { request, context in
            try await serve(request, context) { _, _, _ in
                let reply = try await state.teamMembership(
                    org: try context.parameters.require("org"),
                    team: try context.parameters.require("team"),
                    user: try context.parameters.require("username")
                )
                return Answer(status: reply.status, body: reply.body)
            }
        }
        router.get("/rate_limit") { request, context in
            try await serve(request, context) { _, _, _ in rateLimit() }
        }
        router.post("/app/installations/:id/access_tokens") { request, context in
            try await serve(request, context, appJWT: true) { _, _, _ in try await installationToken(context) }
        }
        router.get("/app") { request, context in
            try await serve(request, context, appJWT: true) { _, _, _ in
                guard let app = await state.app else { throw SandboxError(404, "Integration not found") }
                return Answer(200, ["id": app.id, "slug": app.slug, "name": app.slug, "node_id": "A_\(app.id)"])
            }
        }
        router.get("/app/installations") { request, context in
            try await serve(request, context, appJWT: true) { _, _, _ in
                let installations = await state.app?.installations ?? [:]
                return Answer(200, installations.sorted { $0.key < $1.key }.map { ["id": $0.key, "account": ["login": $0.value]] as [String: Any] })
            }
        }
        router.get("/user") { request, context in
            try await serve(request, context) { caller, _, base in
                guard case .user(let login) = caller, let user = await state.user(login) else { throw SandboxError(401, "Bad credentials") }
                return Answer(200, SandboxJSON.user(user, base: base))
            }
        }
        router.get("/app/hook/deliveries") { request, context in
            try await serve(request, context, appJWT: true) { _, _, base in
                let perPage = min(100, request.uri.queryParameters.get("per_page").flatMap(Int.init) ?? 30)
                let (body, next) = await webhooks.listJSON(perPage: perPage, cursor: request.uri.queryParameters.get("cursor"))
                var answer = Answer(status: 200, body: body)
                if let next {
                    answer.headers["Link"] = "<\(base)/app/hook/deliveries?per_page=\(perPage)&cursor=\(next)>; rel=\"next\""
                }
                return answer
            }
        }
        router.post("/app/hook/deliveries/:id/attempts") { request, context in
            try await serve(request, context, appJWT: true) { _, _, _ in
                guard let id = context.parameters.get("id").flatMap(Int64.init), await webhooks.redeliver(id: id) != nil else {
                    throw SandboxError(404, "Not Found")
                }
                return Answer(202, [String: Any]())
            }
        }
        SandboxAdmin(state: state, webhooks: webhooks).register(on: router)
        SandboxOAuth(state: state).register(on: router)
        SandboxWeb(state: state, events: sendRaisedWebhooks).register(on: router)
        SandboxGitHTTP(state: state, events: sendRaisedWebhooks).register(on: router)
        return router
    }

    /// The server on `host:port` (0 picks a free port, reported to `onServerRunning`).
    public func makeApplication(
        host: String = "127.0.0.1",
        port: Int = 0,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "github-sandbox"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }
        )
    }

    // MARK: - The common path of every request

    private func serve(
        _ request: Request,
        _ context: BasicRequestContext,
        appJWT: Bool = false,
        _ handler: (Caller, Data, String) async throws -> Answer
    ) async throws -> Response {
        let body = Data((try await request.body.collect(upTo: 30 << 20)).readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let path = request.uri.path
        let logIndex = await state.log(
            SandboxState.LoggedRequest(method: request.method.rawValue, path: path, headers: headers, body: body, start: .now)
        )
        // HTTP/1 `Host` arrives as the request's authority, not among its header fields.
        let base = "http://\(request.head.authority ?? headers["host"] ?? "127.0.0.1")"

        var answer: Answer
        var fault = await state.takeFault(method: request.method.rawValue, path: path)
        if let delay = fault?.delayMilliseconds {
            try await Task.sleep(for: .milliseconds(delay))
            if fault?.status == 0 { fault = nil }
        }
        if let fault {
            if fault.afterDoing == true, let caller = await authenticate(headers["authorization"], appJWT: appJWT) {
                _ = try? await handler(caller, body, base)
            }
            var faulty = Answer.error(fault.status, fault.message)
            if let retryAfter = fault.retryAfter { faulty.headers["retry-after"] = String(retryAfter) }
            if let reset = fault.rateLimitReset {
                faulty.headers["x-ratelimit-remaining"] = "0"
                faulty.headers["x-ratelimit-reset"] = String(reset)
            }
            answer = faulty
        } else if let caller = await authenticate(headers["authorization"], appJWT: appJWT) {
            do {
                answer = try await handler(caller, body, base)
            } catch let error as SandboxError {
                answer = .error(error.status, error.message)
            }
        } else {
            answer = .error(401, "Bad credentials")
        }
        var fields = HTTPFields()
        if request.method == .get, answer.status == 200 {
            // A weak validator from the whole body (Data's hashValue reads only its first bytes, so two
            // pull requests differing only in their head would share one), as GitHub's changes with any field.
            let etag = "W/\"\(SHA256.hash(data: answer.body).prefix(16).map { String(format: "%02x", $0) }.joined())\""
            answer.headers["etag"] = etag
            if headers["if-none-match"] == etag { answer = Answer(status: 304, body: Data()) }
        }
        await state.finish(logIndex, status: answer.status, body: answer.body)
        await sendRaisedWebhooks()
        fields[.contentType] = "application/json; charset=utf-8"
        // GitHub's rate-limit headers on every answer; a fault may have set its own.
        let rateLimit = [
            "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999",
            "x-ratelimit-reset": String(Int(Date().timeIntervalSince1970) + 3600),
        ]
        for (name, value) in answer.headers.merging(rateLimit, uniquingKeysWith: { given, _ in given }) {
            if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
        }
        return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// Sends the webhooks the last change raised. Like GitHub, they go out after the answer, not before it.
    @Sendable func sendRaisedWebhooks() async {
        let events = await state.takeEvents()
        guard !events.isEmpty else { return }
        let webhooks = self.webhooks
        Task {
            for event in events {
                await webhooks.send(
                    event: event.name,
                    action: event.action,
                    payload: event.payload,
                    installation: event.installation,
                    repositoryID: event.repositoryID
                )
            }
        }
    }

    private func authenticate(_ authorization: String?, appJWT: Bool) async -> Caller? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, ["token", "bearer"].contains(parts[0].lowercased()) else { return nil }
        let credential = String(parts[1])
        if appJWT {
            return await verifyAppJWT(credential) ? .app : nil
        }
        return await state.login(forToken: credential).map(Caller.user)
    }

    /// GitHub's checks: RS256 with the app's key, `iss` the app's id, `iat` in the past,
    /// not yet expired, `exp` at most 10 minutes after `iat`.
    private func verifyAppJWT(_ token: String) async -> Bool {
        guard let app = await state.app, let key = try? Insecure.RSA.PublicKey(pem: app.publicKeyPEM) else { return false }
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256)
        guard let payload = try? await keys.verify(token, as: GitHubAppJWTClaims.self) else { return false }
        let now = await state.currentTime()
        return payload.iss.value == String(app.id) && payload.exp.value.timeIntervalSince(payload.iat.value) <= 660
            && payload.iat.value <= now.addingTimeInterval(30) && payload.exp.value > now
    }
}

/// A refusal with GitHub's status and message.
struct SandboxError: Error {
    var status: Int
    var message: String
    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}
