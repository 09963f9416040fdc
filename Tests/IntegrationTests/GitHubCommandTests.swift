import Foundation
import GafferCore
import GafferGitHub
import GafferTestSupport
import Testing

/// `gaffer github check` and `gaffer sandbox github` as an operator runs them.
@Suite(.serialized) struct GitHubCommandTests {
    func check(_ environment: [String: String]) async throws -> (Int32, String) {
        let process = try GafferProcess(arguments: ["github", "check"], environment: environment)
        defer { process.stop() }
        let status = try await process.waitForExit()
        try await waitUntil(timeout: .seconds(5), "the output") { !process.output.isEmpty }
        return (status, process.output)
    }

    @Test func checkSaysWhoGafferIsWhereItIsInstalledAndTheRateLimit() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let app = [
            "GAFFER_GITHUB_API_URL": sandbox.baseURL.absoluteString, "GAFFER_GITHUB_APP_ID": "4242",
            "GAFFER_GITHUB_PRIVATE_KEY": sandbox.appPrivateKeyPEM,
        ]
        let (status, output) = try await check(app)
        #expect(status == 0, "\(output)")
        #expect(output.contains("GitHub App: gaffer (id 4242, gaffer[bot])"))
        #expect(output.contains("installation 42 on acme"))
        #expect(output.contains("rate limit: 4999 of 5000 left"))
        #expect(output.contains("bot_login: gaffer[bot], as GitHub says"))
        #expect(!output.contains("PRIVATE KEY"))

        var wrong = app
        wrong["GAFFER_GITHUB_APP_ID"] = "9999"
        let (refused, reason) = try await check(wrong)
        #expect(refused == 1)
        #expect(reason.contains("check that github_app_id (9999)"), "\(reason)")

        let (tokenStatus, tokenOutput) = try await check([
            "GAFFER_GITHUB_API_URL": sandbox.baseURL.absoluteString, "GAFFER_GITHUB_TOKEN": SandboxFixture.aliceToken,
        ])
        #expect(tokenStatus == 0 && tokenOutput.contains("user: alice"), "\(tokenOutput)")
        // With a personal token Gaffer writes as that user, which the default bot_login is not.
        #expect(tokenOutput.contains("bot_login: gaffer[bot] is not who Gaffer is on GitHub (alice)"), "\(tokenOutput)")
        #expect(!tokenOutput.contains(SandboxFixture.aliceToken))
    }

    @Test func checkWithoutCredentialsSaysWhatToSet() async throws {
        let (status, output) = try await check([:])
        #expect(status == 2)
        #expect(output.contains("no GitHub credentials"))
    }

    @Test func theStandaloneSandboxServesAPersonsClient() async throws {
        let process = try GafferProcess(
            arguments: ["sandbox", "github", "--port", "0", "--user", "bob=ghp_bob_token_0123456789", "--repo", "acme/web"],
            environment: [:]
        )
        defer { process.stop() }
        let port = try await process.waitForPort()
        var components = URLComponents()
        components.scheme = "http"
        components.host = "127.0.0.1"
        components.port = port
        let client = try await GitHubClient(
            settings: .init(baseURL: try #require(components.url)),
            credentials: .token(Secret("ghp_bob_token_0123456789"))
        )
        #expect(try await client.authenticatedUser().login == "bob")
        struct NewIssue: Encodable, Sendable { var title: String }
        let issue = try await client.send(
            "POST",
            "/repos/acme/web/issues",
            body: NewIssue(title: "hello"),
            as: .token,
            decoding: GitHubIssueDetails.self
        )
        #expect(issue.number == 1 && issue.title == "hello")
    }
}
