import CryptoExtras
import Foundation
import GafferCore
import GafferGitHub
import GafferSandbox
import Logging
import Synchronization

/// A GitHub sandbox on 127.0.0.1 and an ephemeral port, with a repository
/// `acme/web`, issue #1, a user `alice` (write) and `gaffer`, an app (id 4242)
/// installed on `acme` as installation 42. `stop()` ends the server.
public final class SandboxFixture: Sendable {
    public let state: SandboxState
    public let webhooks: SandboxWebhooks
    public let port: Int
    public let appPrivateKeyPEM: String
    private let server: RunningService

    public static let aliceToken = "ghp_alice_0123456789"

    public init(now: @escaping @Sendable () -> Date = { Date() }) async throws {
        let state = SandboxState(now: now)
        let webhooks = SandboxWebhooks()
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        await state.addUser("alice", token: Self.aliceToken)
        try await state.addRepository(owner: "acme", name: "web")
        await state.setPermission("write", for: "alice", in: "acme/web")
        await state.registerApp(id: 4242, slug: "gaffer", publicKeyPEM: key.publicKey.pemRepresentation)
        await state.addInstallation(42, account: "acme")
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = GitHubSandbox(state: state, webhooks: webhooks).makeApplication(port: 0) { port in continuation.yield(port) }
        let server = RunningService(application)
        self.server = server
        var found: Int?
        for await port in ports {
            found = port
            break
        }
        guard let found, found > 0 else {
            await server.stopAndWait()
            throw GitHubClientFixtureError("the sandbox did not start")
        }
        self.state = state
        self.webhooks = webhooks
        self.port = found
        self.appPrivateKeyPEM = key.pemRepresentation
    }

    public var baseURL: URL {
        var components = URLComponents()
        components.scheme = "http"
        components.host = "127.0.0.1"
        components.port = port
        return components.url ?? URL(fileURLWithPath: "/")
    }

    public func client(
        _ credentials: GitHubCredentials,
        waiter: any RetryWaiter = RecordingWaiter(),
        clock: any WallClock = SystemWallClock(),
        gap: Duration = .zero,
        timeout: Duration = .seconds(10)
    ) async throws -> GitHubClient {
        var settings = GitHubClient.Settings(baseURL: baseURL)
        settings.minimumMutationGap = gap
        settings.requestTimeout = timeout
        // People write what they like; only what Gaffer writes is redacted.
        settings.redactor = .off
        return try await GitHubClient(settings: settings, credentials: credentials, waiter: waiter, clock: clock)
    }

    /// Opens an issue on `repository` as whoever `person` is (labels as an issue form adds them).
    public func openIssue(
        _ title: String,
        body: String = "",
        labels: [String] = ["gaffer"],
        in repository: String = "acme/web",
        as person: GitHubClient
    ) async throws -> GitHubIssueDetails {
        struct NewIssue: Encodable, Sendable {
            var title: String
            var body: String
            var labels: [String]
        }
        return try await person.send(
            "POST",
            "/repos/\(repository)/issues",
            body: NewIssue(title: title, body: body, labels: labels),
            as: .token,
            decoding: GitHubIssueDetails.self
        )
    }

    public func stop() {
        server.stop()
        state.removeGitRoot()
    }

    /// Gaffer's comments (the app's bot) marked `key` (`status`, `plan`, `apply`, `reply-<comment id>`) on an
    /// issue or pull request of acme/web, read as `reader`.
    public func gafferComments(_ key: String, on number: Int, as reader: GitHubClient) async throws -> [GitHubCommentDetails] {
        try await reader.comments(onIssue: number, in: RepositoryRef(owner: "acme", name: "web")).filter {
            $0.user?.login == "gaffer[bot]" && ($0.body?.contains("gaffer:status key=\(key) ") ?? false)
        }
    }

    /// Commits a change to a file of `branch` of acme/web (made when missing) as alice would, with git
    /// over HTTP, and pushes it; returns the new head.
    public func push(to branch: String, path: String, change: (String) -> String) async throws -> String {
        let folder = try TemporaryDirectory("sandbox-push")
        defer { folder.remove() }
        let work = folder.url.appendingPathComponent("web").path
        let remote = "http://x-access-token:\(Self.aliceToken)@127.0.0.1:\(port)/acme/web.git"
        try await GitCLI.run(["clone", "--quiet", "--branch", branch, remote, work])
        let text = (try? String(contentsOfFile: work + "/" + path, encoding: .utf8)) ?? ""
        try FileManager.default.createDirectory(
            atPath: (work + "/" + path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try change(text).write(toFile: work + "/" + path, atomically: true, encoding: .utf8)
        try await GitCLI.run(["add", path], in: work)
        try await GitCLI.run(
            ["-c", "user.name=Alice", "-c", "user.email=alice@example.com", "commit", "--quiet", "-am", "A person's change"],
            in: work
        )
        try await GitCLI.run(["push", "--quiet", "origin", branch], in: work)
        return try await GitCLI.run(["rev-parse", "HEAD"], in: work)
    }

    /// Every exchange the sandbox served, as `scripts/github_contract.py` reads them.
    public func exchangesJSONLines(where include: (SandboxState.LoggedRequest) -> Bool = { _ in true }) async -> String {
        await state.requests.filter(include).map { request in
            let line: [String: Any] = [
                "method": request.method, "path": request.path, "status": request.status ?? 0,
                "request_body": request.body.isEmpty ? NSNull() : String(decoding: request.body, as: UTF8.self),
                "response_body": (request.responseBody?.isEmpty ?? true) ? NSNull() : String(decoding: request.responseBody ?? Data(), as: UTF8.self),
            ]
            return String(decoding: (try? JSONSerialization.data(withJSONObject: line)) ?? Data(), as: UTF8.self)
        }.joined(separator: "\n")
    }
}

public struct GitHubClientFixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Records every wait and returns at once: retry timing is checked without sleeping.
public final class RecordingWaiter: RetryWaiter {
    let waits = Mutex<[Duration]>([])
    public init() {}
    public func wait(_ duration: Duration) async throws {
        waits.withLock { $0.append(duration) }
    }
    public var recorded: [Duration] { waits.withLock { $0 } }
}
