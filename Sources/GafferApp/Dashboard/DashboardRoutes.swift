import Foundation
import GafferCore
import GafferGitHub
import HTTPTypes
import Hummingbird

/// `/dashboard`: the pages, their forms, the live events, the JSON API under `/dashboard/api/`, and signing in and out.
struct DashboardRoutes: Sendable {
    let pages: DashboardPages
    let templates: DashboardTemplates
    let access: DashboardAccess
    let events: DashboardEvents
    let stop: EmergencyStop
    let metrics: GafferMetrics
    /// Approve and Deny; nil without GitHub credentials (nobody's permission can be read).
    let decisions: DashboardDecisions?
    let clock: any WallClock
    let redactor: Redactor

    static let flashCookie = "gaffer_flash"
    /// Sent by the page's script when it fetches its live part again: only that part is rendered.
    static let fragmentHeader = HTTPField.Name("X-Gaffer-Fragment")
    /// The session's CSRF token, for a `POST` made by a script rather than a form.
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")

    func register(on router: Router<some RequestContext>) {
        router.get("/dashboard/static/:file") { _, context in self.asset(context.parameters.get("file") ?? "") }
        router.get("/dashboard/signin") { request, _ in try await self.signInPage(request, problem: nil) }
        router.post("/dashboard/signin") { request, _ in try await self.signInWithToken(request) }
        router.get("/dashboard/signin/github") { request, _ in self.startGitHubSignIn(request) }
        router.get("/dashboard/oauth/callback") { request, _ in try await self.finishGitHubSignIn(request) }
        router.post("/dashboard/signout") { request, _ in try await self.signOut(request) }
        router.get("/dashboard/events") { request, _ in
            guard try await self.access.caller(request) != nil else { return Self.unauthenticated() }
            return await self.events.response()
        }

        let pageRoutes: [(String, String, @Sendable (Request, any RequestContext) async throws -> [String: Any]?)] = [
            ("/dashboard", "Overview", { _, _ in try await self.pages.overview() }),
            ("/dashboard/decisions", "Decisions", { request, _ in try await self.pages.decisions(page: request.page) }),
            (
                "/dashboard/tasks", "Tasks",
                { request, _ in
                    try await self.pages.tasks(
                        state: request.uri.queryParameters.get("state").flatMap(Plan.State.init(rawValue:)),
                        search: request.uri.queryParameters.get("q"),
                        page: request.page
                    )
                }
            ),
            ("/dashboard/agents", "Agents", { _, _ in try await self.pages.agents() }),
            (
                "/dashboard/resources", "Resources",
                { request, _ in
                    let query = request.uri.queryParameters
                    return try await self.pages.resources(
                        .init(account: query.get("account"), region: query.get("region"), service: query.get("service"), tag: query.get("tag")),
                        page: request.page
                    )
                }
            ),
            (
                "/dashboard/knowledge", "Knowledge",
                { request, _ in
                    try await self.pages.knowledge(
                        kind: request.uri.queryParameters.get("kind").flatMap(KnowledgeKind.init(rawValue:)),
                        search: request.uri.queryParameters.get("q")
                    )
                }
            ),
            ("/dashboard/costs", "Costs", { _, _ in try await self.pages.costs() }),
            ("/dashboard/settings", "Settings", { _, _ in self.pages.settings() }),
            ("/dashboard/pause", "Stop everything", { _, _ in [:] }),
        ]
        for (path, title, build) in pageRoutes {
            let name = path == "/dashboard" ? "overview" : String(path.dropFirst("/dashboard/".count))
            router.get(RouterPath(path)) { request, context in
                try await self.page(request, name: name, title: { title }, live: name != "pause") { try await build(request, context) }
            }
        }
        router.get("/dashboard/tasks/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            var title = "Task"
            return try await self.page(request, name: "task", title: { title }, live: true) {
                guard let found = try await self.pages.task(id) else { return nil }
                title = found.title
                return found.context
            }
        }
        router.post("/dashboard/pause") { request, _ in try await self.form(request) { caller, fields in try await self.pause(caller, fields) } }
        router.post("/dashboard/resume") { request, _ in try await self.form(request) { caller, _ in try await self.resume(caller) } }
        for verdict in [Decision.Verdict.approve, .deny] {
            // The plan's id goes in the form, not the path: it holds `/` and `#`.
            router.post(RouterPath("/dashboard/decisions/\(verdict.rawValue)")) { request, _ in
                try await self.form(request) { caller, fields in try await self.decide(caller, fields["plan"] ?? "", verdict, fields["reason"]) }
            }
        }
        DashboardAPI(routes: self).register(on: router)
    }

    // MARK: - Pages

    private func page(
        _ request: Request,
        name: String,
        title: () -> String,
        live: Bool,
        _ build: () async throws -> [String: Any]?
    ) async throws -> Response {
        guard let caller = try await access.caller(request) else {
            return Self.redirect("/dashboard/signin?next=\(Self.escapeQuery(request.uri.description))")
        }
        guard var context = try await build() else { return try html(.notFound, "forbidden", ["reason": "There is no such page."]) }
        let fragment = Self.fragmentHeader.flatMap { request.headers[$0] } == "live"
        let section = ["overview": "", "task": "/tasks", "pause": ""][name] ?? "/\(name)"
        context.merge(try await layout(caller, title: title(), current: "/dashboard" + section, fragment: fragment)) { own, _ in own }
        context["live"] = live
        // A note left by the form just sent is shown once: the live refresh that follows does not clear it.
        let flash = fragment ? nil : Self.flash(request)
        if let flash { context["flash"] = flash }
        var response = try html(.ok, name, context)
        if flash != nil { response.setCookie(access.cookie(Self.flashCookie, "", maxAge: 0)) }
        return response
    }

    func layout(_ caller: DashboardAccess.Caller, title: String, current: String, fragment: Bool) async throws -> [String: Any] {
        try await stop.refresh()
        var context: [String: Any] = [
            "title": title, "fragment": fragment, "csrf": caller.session?.csrf ?? "", "operator": caller.gitHubLogin == nil,
            // Only a person signed in through GitHub has a permission there to approve with.
            "canDecide": caller.gitHubLogin != nil,
            "session": ["login": caller.login], "version": GafferVersion.current,
            "renderedAt": DashboardPages.when(clock.now()),
            "nav": DashboardPages.nav.map { ["href": $0.href, "label": $0.label, "current": $0.href == current] },
        ]
        if let pause = stop.current {
            context["paused"] =
                [
                    "by": pause.by, "reason": pause.reason, "at": DashboardPages.when(pause.at),
                    "stoppableRunning": stop.stoppableRunning > 0 ? stop.stoppableRunning as Int? : nil,
                ] as [String: Any]
        }
        return context
    }

    func html(_ status: HTTPResponse.Status, _ name: String, _ context: [String: Any]) throws -> Response {
        // Whatever a page shows passes the redactor, as comments and logs do.
        let text = redactor.redact(try templates.render(name, context))
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] =
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
        if let options = HTTPField.Name("X-Content-Type-Options") { headers[options] = "nosniff" }
        if let referrer = HTTPField.Name("Referrer-Policy") { headers[referrer] = "same-origin" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func asset(_ file: String) -> Response {
        guard let data = templates.assets[file] else { return Response(status: .notFound) }
        var headers = HTTPFields()
        headers[.contentType] = file.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"
        headers[.cacheControl] = "max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    static func unauthenticated() -> Response {
        JSONResponse.error(
            .unauthorized,
            code: "unauthenticated",
            message: "sign in at /dashboard/signin, or send the operator token as Authorization: Bearer <token>"
        )
    }

    static func escapeQuery(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? "/dashboard"
    }

    static func flash(_ request: Request) -> [String: String]? {
        guard let value = request.cookies[flashCookie]?.value, let data = Data(base64Encoded: value),
            let text = String(data: data, encoding: .utf8), let split = text.firstIndex(of: ":")
        else { return nil }
        return ["kind": String(text[..<split]), "text": String(text[text.index(after: split)...])]
    }

    func flashCookie(_ kind: String, _ text: String) -> Cookie {
        access.cookie(Self.flashCookie, Data("\(kind):\(text)".utf8).base64EncodedString(), maxAge: 60)
    }

    // MARK: - Forms

    /// A form `POST`: signed in, with the session's CSRF token, its fields read.
    private func form(_ request: Request, _ act: (DashboardAccess.Caller, [String: String]) async throws -> Response) async throws -> Response {
        guard let caller = try await access.caller(request) else { return Self.redirect("/dashboard/signin") }
        var request = request
        let fields = Self.formFields(try await request.collectBody(ifWithin: 64 << 10))
        guard access.csrfHolds(caller, given: fields["csrf"] ?? Self.csrfHeader.flatMap { request.headers[$0] }) else {
            return try html(
                .forbidden,
                "forbidden",
                [
                    "reason":
                        "The form was sent without this session's CSRF token, so it may not have come from this dashboard. Reload the page and try again."
                ]
            )
        }
        return try await act(caller, fields)
    }

    static func formFields(_ body: ByteBuffer?) -> [String: String] {
        body.map { HTMLText.formFields(String(buffer: $0)) } ?? [:]
    }

    private func pause(_ caller: DashboardAccess.Caller, _ fields: [String: String]) async throws -> Response {
        let reason = (fields["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { return Self.redirect("/dashboard/pause", cookies: [flashCookie("bad", "Say why you are stopping Gaffer.")]) }
        let state = try await stop.pause(by: caller.login, reason: reason, at: clock.now())
        metrics.setPaused(true)
        let note = state.by == caller.login && state.reason == reason ? "Gaffer is paused." : "Gaffer was already paused by \(state.by)."
        return Self.redirect("/dashboard", cookies: [flashCookie("ok", note)])
    }

    private func resume(_ caller: DashboardAccess.Caller) async throws -> Response {
        try await stop.resume()
        metrics.setPaused(false)
        return Self.redirect("/dashboard", cookies: [flashCookie("ok", "Gaffer runs again (resumed by \(caller.login)).")])
    }

    func decide(_ caller: DashboardAccess.Caller, _ id: String, _ verdict: Decision.Verdict, _ reason: String?) async throws -> Response {
        switch try await decision(caller, id, verdict, reason) {
        case .recorded(let text): return Self.redirect("/dashboard/decisions", cookies: [flashCookie("ok", text)])
        case .refused(let text): return Self.redirect("/dashboard/decisions", cookies: [flashCookie("bad", "Not recorded: \(text)")])
        }
    }

    func decision(
        _ caller: DashboardAccess.Caller,
        _ id: String,
        _ verdict: Decision.Verdict,
        _ reason: String?
    ) async throws -> DashboardDecisions.Outcome {
        guard let login = caller.gitHubLogin else {
            return .refused(
                "sign in with GitHub to \(verdict.rawValue): the operator token is nobody on GitHub, and approvals follow people's permission there"
            )
        }
        guard let decisions else { return .refused("Gaffer has no GitHub credentials, so it cannot check who may \(verdict.rawValue)") }
        return try await decisions.decide(planID: id, verdict: verdict, reason: reason, login: login)
    }

    // MARK: - Signing in and out

    private func signInPage(_ request: Request, problem: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let next = DashboardAccess.safeNext(request.uri.queryParameters.get("next").map { String($0) })
        var context: [String: Any] = ["github": access.signIn != nil, "next": next]
        if let problem { context["problem"] = problem }
        return try html(status, "signin", context)
    }

    private func signInWithToken(_ request: Request) async throws -> Response {
        var request = request
        let fields = Self.formFields(try await request.collectBody(ifWithin: 16 << 10))
        guard let expected = access.operatorToken else {
            return try await signInPage(
                request,
                problem: "No operator token is configured (api_token), so nobody can sign in with one.",
                status: .forbidden
            )
        }
        guard let given = fields["token"], DashboardAccess.same(given, expected.revealed) else {
            return try await signInPage(request, problem: "That is not the operator token.", status: .unauthorized)
        }
        let cookie = try await access.start("operator", via: .operatorToken)
        return Self.redirect(DashboardAccess.safeNext(fields["next"]), cookies: [cookie])
    }

    private func startGitHubSignIn(_ request: Request) -> Response {
        let state = DashboardAccess.randomToken()
        guard let signIn = access.signIn, let url = signIn.authorizeURL(redirectURI: access.callbackURL(for: request), state: state) else {
            return Self.redirect("/dashboard/signin")
        }
        let next = DashboardAccess.safeNext(request.uri.queryParameters.get("next").map { String($0) })
        // The state ties GitHub's answer to this browser; the page to return to rides along with it.
        return Self.redirect(
            url.absoluteString,
            cookies: [access.cookie(DashboardAccess.stateCookie, "\(state).\(Data(next.utf8).base64EncodedString())", maxAge: 600)]
        )
    }

    private func finishGitHubSignIn(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let saved = request.cookies[DashboardAccess.stateCookie]?.value.split(separator: ".", maxSplits: 1).map { String($0) } ?? []
        guard let signIn = access.signIn, let code = query.get("code"), let state = query.get("state"), saved.count == 2,
            DashboardAccess.same(String(state), saved[0])
        else {
            return try await signInPage(
                request,
                problem: "The sign-in with GitHub did not come back as it went out (its state differs). Try again.",
                status: .badRequest
            )
        }
        let next = DashboardAccess.safeNext(Data(base64Encoded: saved[1]).flatMap { String(data: $0, encoding: .utf8) })
        let login: String
        do {
            let token = try await signIn.exchange(code: String(code), redirectURI: access.callbackURL(for: request))
            login = try await signIn.login(token: token)
        } catch {
            return try await signInPage(request, problem: "GitHub did not sign you in: \(error)", status: .badGateway)
        }
        if let refusal = try await access.refusal(for: login) {
            var response = try html(.forbidden, "forbidden", ["reason": refusal])
            response.setCookie(access.cookie(DashboardAccess.stateCookie, "", maxAge: 0))
            return response
        }
        let cookie = try await access.start(login, via: .github)
        return Self.redirect(next, cookies: [cookie, access.cookie(DashboardAccess.stateCookie, "", maxAge: 0)])
    }

    private func signOut(_ request: Request) async throws -> Response {
        guard let caller = try await access.caller(request) else { return Self.redirect("/dashboard/signin") }
        var request = request
        let fields = Self.formFields(try await request.collectBody(ifWithin: 16 << 10))
        guard access.csrfHolds(caller, given: fields["csrf"]) else {
            return try html(
                .forbidden,
                "forbidden",
                ["reason": "The sign-out was sent without this session's CSRF token. Reload the page and try again."]
            )
        }
        return Self.redirect("/dashboard/signin", cookies: [try await access.end(caller)])
    }
}

extension Request {
    /// `?page=N`, at least 1.
    var page: Int { max(1, uri.queryParameters.get("page").flatMap { Int($0) } ?? 1) }
}
