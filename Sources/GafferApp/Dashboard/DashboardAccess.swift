import Crypto
import Foundation
import GafferCore
import GafferGitHub
import Hummingbird

/// Who is asking for a dashboard page or API call, and whether they may: a session cookie (GitHub
/// or operator-token sign-in) or the operator token as a bearer token for scripts.
struct DashboardAccess: Sendable {
    static let sessionCookie = "gaffer_session"
    static let stateCookie = "gaffer_oauth_state"

    let sessions: any DashboardSessionStore
    let settings: DashboardSettings
    let operatorToken: Secret?
    let github: GitHubConnection?
    let signIn: (any GitHubSigningIn)?
    let clock: any WallClock

    /// Who made a request.
    enum Caller: Sendable {
        case session(DashboardSession, tokenHash: String)
        /// `Authorization: Bearer <operator token>`: a script; no cookie, so no CSRF token is needed.
        case bearer
        var login: String {
            switch self {
            case .session(let session, _): session.login
            case .bearer: "operator"
            }
        }
        var session: DashboardSession? { if case .session(let session, _) = self { session } else { nil } }
        /// Signed in as a GitHub user, whose permission decides what they may approve.
        var gitHubLogin: String? { session.flatMap { $0.via == .github ? $0.login : nil } }
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Compares digests, so the time does not say where two tokens differ.
    static func same(_ given: String, _ expected: String) -> Bool {
        SHA256.hash(data: Data(given.utf8)) == SHA256.hash(data: Data(expected.utf8))
    }

    func caller(_ request: Request) async throws -> Caller? {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let given = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
            guard let operatorToken, Self.same(given, operatorToken.revealed) else { return nil }
            return .bearer
        }
        guard let token = request.cookies[Self.sessionCookie]?.value, !token.isEmpty else { return nil }
        let hash = Self.hash(token)
        return try await sessions.session(tokenHash: hash, now: clock.now()).map { .session($0, tokenHash: hash) }
    }

    /// True when a state-changing request carries the session's CSRF token (a form field or `X-CSRF-Token`),
    /// or comes with the bearer token, which a page elsewhere cannot send.
    func csrfHolds(_ caller: Caller, given: String?) -> Bool {
        guard case .session(let session, _) = caller else { return true }
        guard let given, !given.isEmpty else { return false }
        return Self.same(given, session.csrf)
    }

    var secureCookies: Bool { settings.publicURL?.scheme == "https" }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/dashboard", secure: secureCookies, httpOnly: true, sameSite: .lax)
    }

    /// Starts a session for `login`; the response should set the returned cookie.
    func start(_ login: String, via: DashboardSession.Via) async throws -> Cookie {
        let now = clock.now()
        try await sessions.deleteExpiredSessions(now: now)
        let token = Self.randomToken()
        let lifetime = settings.sessionHours * 3600
        let session = DashboardSession(login: login, via: via, csrf: Self.randomToken(), createdAt: now, expiresAt: now.addingTimeInterval(lifetime))
        try await sessions.saveSession(session, tokenHash: Self.hash(token))
        return cookie(Self.sessionCookie, token, maxAge: Int(lifetime))
    }

    func end(_ caller: Caller) async throws -> Cookie {
        if case .session(_, let hash) = caller { try await sessions.deleteSession(tokenHash: hash) }
        return cookie(Self.sessionCookie, "", maxAge: 0)
    }

    /// Why `login` may not see the dashboard, or nil when they may (`dashboard_users`, `dashboard_teams`).
    func refusal(for login: String) async throws -> String? {
        if settings.users.contains(login.lowercased()) { return nil }
        if !settings.teams.isEmpty, let github {
            for team in settings.teams.sorted() {
                let org = String(team.prefix { $0 != "/" })
                // Team membership is asked through the app's installation on the team's organisation.
                guard let ref = try await github.repository("\(org)/.github") else { continue }
                if try await !github.teams(of: login, among: [team], for: ref).isEmpty { return nil }
            }
        }
        let lists = [
            settings.users.isEmpty ? nil : "dashboard_users",
            settings.teams.isEmpty ? nil : "a team of dashboard_teams (\(settings.teams.sorted().joined(separator: ", ")))",
        ].compactMap { $0 }
        if lists.isEmpty {
            return
                "\(login) signed in with GitHub, but nobody may see this dashboard through GitHub yet: the operator lists people in dashboard_users or dashboard_teams."
        }
        return "\(login) is not in \(lists.joined(separator: " or ")): ask the operator of this Gaffer to add you."
    }

    /// Where GitHub sends people back to after signing in.
    func callbackURL(for request: Request) -> String {
        if let publicURL = settings.publicURL {
            let text = publicURL.absoluteString
            return (text.hasSuffix("/") ? String(text.dropLast()) : text) + "/dashboard/oauth/callback"
        }
        return "http://\(request.head.authority ?? "127.0.0.1")/dashboard/oauth/callback"
    }

    /// Only Gaffer's own dashboard paths are followed after sign-in: never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/dashboard"), !next.hasPrefix("//"), !next.contains("\\") else { return "/dashboard" }
        return next
    }
}
