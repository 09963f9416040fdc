import Foundation
import GafferApp
import GafferCore
import GafferStore
import GafferTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Signing in, sessions, CSRF tokens and who may see the dashboard.
@Suite struct DashboardAccessTests {
    /// Signs in with the operator token through the form; the session cookie and the page's CSRF token.
    static func signIn(_ client: any TestClientProtocol) async throws -> (cookie: String, csrf: String) {
        let answer = try await client.execute(
            uri: "/dashboard/signin",
            method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "token=\(TestConfiguration.apiToken.revealed)&next=%2Fdashboard%2Fsettings")
        )
        #expect(answer.status == .seeOther)
        #expect(answer.headers[.location] == "/dashboard/settings")
        let setCookie = try #require(answer.headers[values: .setCookie].first { $0.hasPrefix("gaffer_session=") })
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && setCookie.contains("Path=/dashboard"), "\(setCookie)")
        let cookie = String(setCookie.prefix { $0 != ";" })
        let page = String(buffer: try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: cookie]).body)
        let csrf = try #require(page.firstMatch(of: try Regex(#"name="csrf" value="([0-9a-f]{64})""#))?.output[1].substring)
        return (cookie, String(csrf))
    }

    static func post(_ client: any TestClientProtocol, _ path: String, cookie: String, form: String) async throws -> TestResponse {
        try await client.execute(
            uri: path,
            method: .post,
            headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: form)
        )
    }

    @Test func withoutASessionPagesSendToTheSignInAndTheAPIAnswers401() async throws {
        try await AppFixture(workers: 0).test { client in
            let page = try await client.execute(uri: "/dashboard/tasks?state=failed", method: .get)
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/dashboard/signin?next=/dashboard/tasks%3Fstate%3Dfailed")
            let api = try await client.api(.get, "/dashboard/api/overview", token: nil)
            #expect(api.status == .unauthorized && api.errorCode == "unauthenticated")
            let badToken = try await client.api(.get, "/dashboard/api/overview", token: "not-the-token-at-all")
            #expect(badToken.status == .unauthorized)
            let events = try await client.execute(uri: "/dashboard/events", method: .get)
            #expect(events.status == .unauthorized)
            let wrong = try await client.execute(
                uri: "/dashboard/signin",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=guess")
            )
            #expect(wrong.status == .unauthorized && String(buffer: wrong.body).contains("That is not the operator token."))
            #expect(wrong.headers[values: .setCookie].isEmpty)
            let offsite = try await client.execute(
                uri: "/dashboard/signin",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(TestConfiguration.apiToken.revealed)&next=https%3A%2F%2Fevil.example%2F")
            )
            #expect(offsite.headers[.location] == "/dashboard", "sign-in never sends people to another site")
        }
    }

    @Test func aFormWithoutTheSessionsCSRFTokenIsRefusedAndChangesNothing() async throws {
        let fixture = try await AppFixture(workers: 0)
        let stop = fixture.server.emergencyStop
        try await fixture.test { client in
            let (cookie, csrf) = try await Self.signIn(client)
            let forged = try await Self.post(client, "/dashboard/pause", cookie: cookie, form: "reason=forged")
            #expect(forged.status == .forbidden)
            #expect(String(buffer: forged.body).contains("without this session&#39;s CSRF token"))
            let wrong = try await Self.post(
                client,
                "/dashboard/pause",
                cookie: cookie,
                form: "reason=forged&csrf=\(String(repeating: "0", count: 64))"
            )
            #expect(wrong.status == .forbidden)
            try await stop.refresh()
            #expect(stop.current == nil)

            let paused = try await Self.post(client, "/dashboard/pause", cookie: cookie, form: "reason=incident+7%3A+bad+deploy&csrf=\(csrf)")
            #expect(paused.status == .seeOther && paused.headers[.location] == "/dashboard")
            #expect(stop.current?.reason == "incident 7: bad deploy" && stop.current?.by == "operator")
            let flash = try #require(
                paused.headers[values: .setCookie].first { $0.hasPrefix("gaffer_flash=") }.map { String($0.prefix { $0 != ";" }) }
            )
            let banner = String(
                buffer: try await client.execute(uri: "/dashboard/tasks", method: .get, headers: [.cookie: "\(cookie); \(flash)"]).body
            )
            #expect(banner.contains("<strong>Gaffer is paused</strong> by operator at "))
            #expect(banner.contains("incident 7: bad deploy"))
            #expect(banner.contains("Gaffer is paused."), "the note the form left")

            let resumed = try await Self.post(client, "/dashboard/resume", cookie: cookie, form: "csrf=\(csrf)")
            #expect(resumed.status == .seeOther)
            #expect(stop.current == nil)

            let out = try await Self.post(client, "/dashboard/signout", cookie: cookie, form: "csrf=\(csrf)")
            #expect(out.headers[.location] == "/dashboard/signin")
            let after = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: cookie])
            #expect(after.status == .seeOther, "the session ends on the server, not only in the browser")
        }
    }

    @Test func theOperatorTokenMayNotDecideAPlan() async throws {
        try await AppFixture(workers: 0).test { client in
            let (cookie, csrf) = try await Self.signIn(client)
            let page = String(buffer: try await Self.post(client, "/dashboard/decisions/approve", cookie: cookie, form: "plan=x&csrf=\(csrf)").body)
            #expect(page.isEmpty, "a redirect with a note")
            let api = try await client.api(.post, "/dashboard/api/decisions/approve", json: #"{"plan": "acme/web#2@abc/1"}"#)
            #expect(api.status == .forbidden)
            #expect(api.errorMessage.contains("sign in with GitHub to approve"), "\(api.errorMessage)")
        }
    }

    @Test func aGitHubSignInThatDidNotGoOutFromHereIsRefused() async throws {
        try await AppFixture(workers: 0) { configuration in
            configuration.dashboard.oauthClientID = "client"
            configuration.dashboard.oauthClientSecret = Secret("secret")
        }.test { client in
            let start = try await client.execute(uri: "/dashboard/signin/github?next=%2Fdashboard%2Fcosts", method: .get)
            #expect(start.status == .seeOther)
            let location = try #require(start.headers[.location])
            #expect(location.hasPrefix("https://github.com/login/oauth/authorize?client_id=client&redirect_uri="), "\(location)")
            #expect(start.headers[values: .setCookie].contains { $0.hasPrefix("gaffer_oauth_state=") })
            let forged = try await client.execute(uri: "/dashboard/oauth/callback?code=abc&state=def", method: .get)
            #expect(forged.status == .badRequest)
            #expect(String(buffer: forged.body).contains("did not come back as it went out"))
        }
    }

    @Test func anExpiredSessionIsNoSession() async throws {
        let directory = try TemporaryDirectory("sessions")
        defer { directory.remove() }
        let store = try SQLiteStore(dataDirectory: directory.url)
        try store.migrate()
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let session = DashboardSession(login: "bob", via: .github, csrf: "c", createdAt: now, expiresAt: now.addingTimeInterval(3600))
        try await store.saveSession(session, tokenHash: "h")
        #expect(try await store.session(tokenHash: "h", now: now.addingTimeInterval(3599)) == session)
        #expect(try await store.session(tokenHash: "h", now: now.addingTimeInterval(3600)) == nil)
        #expect(try await store.deleteExpiredSessions(now: now.addingTimeInterval(3600)) == 1)
        try store.close()
    }
}
