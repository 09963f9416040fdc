import Foundation
import GafferCore
import GafferProcess
import GafferSandbox
import GafferTestSupport
import Testing

@testable import GafferGitHub

/// The client against the sandbox over real HTTP on 127.0.0.1.
@Suite(.serialized) struct GitHubClientTests {
    let repository = RepositoryRef(owner: "acme", name: "web")
    let installed = RepositoryRef(owner: "acme", name: "web", installation: 42)

    func openIssue(_ client: GitHubClient) async throws -> Int {
        struct NewIssue: Encodable, Sendable {
            var title: String
            var body: String
        }
        let issue = try await client.send(
            "POST",
            "/repos/acme/web/issues",
            body: NewIssue(title: "Create bucket logs", body: "versioning: true"),
            as: .token,
            decoding: GitHubIssueDetails.self
        )
        return issue.number
    }

    @Test func everyOperationWithAPersonalToken() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let client = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let number = try await openIssue(client)

        let comment = try await client.createComment(onIssue: number, in: repository, body: "Planning…")
        #expect(comment.body == "Planning…" && comment.user?.login == "alice")
        let edited = try await client.updateComment(comment.id, in: repository, body: "Planned.")
        #expect(edited.id == comment.id && edited.body == "Planned.")
        #expect(try await client.comments(onIssue: number, in: repository).map(\.body) == ["Planned."])

        #expect(try await client.addLabels(["gaffer", "aws:s3Bucket"], toIssue: number, in: repository).map(\.name) == ["gaffer", "aws:s3Bucket"])
        // Adding a label that is there changes nothing; removing one that is not there is not an error.
        #expect(try await client.addLabels(["gaffer"], toIssue: number, in: repository).count == 2)
        try await client.removeLabel("aws:s3Bucket", fromIssue: number, in: repository)
        try await client.removeLabel("never-there", fromIssue: number, in: repository)
        let issue = try await client.issue(number, in: repository)
        #expect(issue.labels.map(\.name) == ["gaffer"] && issue.title == "Create bucket logs")
        #expect(try await client.updateIssue(number, in: repository, state: "closed").state == "closed")

        #expect(try await client.react("eyes", toComment: comment.id, in: repository).content == "eyes")
        let permission = try await client.permission(of: "alice", in: repository)
        #expect(permission.permission == "write" && permission.roleName == "write")
        #expect(try await client.rateLimit(as: .token).rate.limit == 5000)
        try await client.deleteComment(comment.id, in: repository)
        #expect(try await client.comments(onIssue: number, in: repository).isEmpty)

        // Every call carried GitHub's headers.
        for request in await sandbox.state.requests {
            #expect(request.headers["accept"] == "application/vnd.github+json")
            #expect(request.headers["x-github-api-version"] == "2022-11-28")
            #expect(request.headers["user-agent"]?.hasPrefix("gaffer/") == true)
        }
    }

    @Test func anAppGetsInstallationTokensAndRenewsOnceAfterA401() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let number = try await openIssue(try await sandbox.client(.token(Secret(SandboxFixture.aliceToken))))
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let first = try await app.createComment(onIssue: number, in: installed, body: "one")
        #expect(first.user?.login == "gaffer[bot]")
        _ = try await app.createComment(onIssue: number, in: installed, body: "two")
        func tokenRequests() async -> Int { await sandbox.state.requests.filter { $0.path.hasSuffix("/access_tokens") }.count }
        #expect(await tokenRequests() == 1, "the token is cached")

        await sandbox.state.revokeInstallationTokens()
        _ = try await app.createComment(onIssue: number, in: installed, body: "three")
        #expect(await tokenRequests() == 2, "a 401 renews the token once")
        let statuses = await sandbox.state.requests.filter { $0.path.hasSuffix("/comments") }.compactMap(\.status)
        #expect(statuses == [201, 201, 401, 201])
    }

    @Test func anInstallationTokenIsRenewedFiveMinutesBeforeItExpires() async throws {
        let clock = ManualWallClock(Date())
        let sandbox = try await SandboxFixture(now: { clock.now() })
        defer { sandbox.stop() }
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)), clock: clock)
        func tokenRequests() async -> Int { await sandbox.state.requests.filter { $0.path.hasSuffix("/access_tokens") }.count }
        _ = try await app.permission(of: "alice", in: installed)
        clock.advance(by: 54 * 60)
        _ = try await app.permission(of: "alice", in: installed)
        #expect(await tokenRequests() == 1, "still 6 minutes to go: the cached token is used")
        clock.advance(by: 2 * 60)
        _ = try await app.permission(of: "alice", in: installed)
        #expect(await tokenRequests() == 2, "within 5 minutes of expiry: renewed")
        // A JWT from a clock 2 minutes ahead of GitHub's is refused, as GitHub refuses it.
        let ahead = ManualWallClock(clock.now().addingTimeInterval(120))
        let skewed = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)), clock: ahead)
        await #expect(throws: GitHubAPIError.self) { try await skewed.permission(of: "alice", in: installed) }
    }

    @Test func aSlowAnswerTimesOutAndAGETIsTriedAgain() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let waiter = RecordingWaiter()
        let client = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)), waiter: waiter, timeout: .milliseconds(300))
        await sandbox.state.addFault(.init(method: "GET", pathPrefix: "/rate_limit", status: 0, remaining: 1, delayMilliseconds: 2_000))
        #expect(try await client.rateLimit(as: .token).rate.limit == 5000)
        #expect(waiter.recorded.count == 1)
        #expect(await sandbox.state.requests.filter { $0.path == "/rate_limit" }.count == 2)
    }

    @Test func aWrongKeyOrAppIDIsRefusedClearly() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let wrongApp = try await sandbox.client(.app(id: "9999", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        await #expect(throws: GitHubAPIError.self) { try await wrongApp.issue(1, in: installed) }
        do {
            _ = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret("not a key")))
            Issue.record("a broken key was accepted")
        } catch {
            #expect("\(error)".contains("not an RSA private key"))
        }
    }

    @Test func errorsCarryGitHubsMessageAndNeverTheToken() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let token = "ghp_wrong_token_value_1234"
        let client = try await sandbox.client(.token(Secret(token)))
        do {
            _ = try await client.issue(1, in: repository)
            Issue.record("a bad token was accepted")
        } catch let error as GitHubAPIError {
            #expect(error.status == 401 && error.message == "Bad credentials")
            #expect(!error.description.contains(token) && !String(reflecting: error).contains(token))
        }
    }

    @Test func retryAfterAndRateLimitResetAreHonouredWithoutSleeping() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let waiter = RecordingWaiter()
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_900_000_000))
        let client = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)), waiter: waiter, clock: clock)
        let number = try await openIssue(client)
        let path = "/repos/acme/web/issues/\(number)/comments"
        await sandbox.state.addFault(
            .init(
                method: "POST",
                pathPrefix: path,
                status: 403,
                retryAfter: 7,
                rateLimitReset: nil,
                message: "You have exceeded a secondary rate limit",
                remaining: 1
            )
        )
        await sandbox.state.addFault(
            .init(
                method: "POST",
                pathPrefix: path,
                status: 403,
                retryAfter: nil,
                rateLimitReset: 1_900_000_030,
                message: "API rate limit exceeded",
                remaining: 1
            )
        )
        await sandbox.state.addFault(
            .init(
                method: "GET",
                pathPrefix: path,
                status: 502,
                retryAfter: nil,
                rateLimitReset: nil,
                message: "Server Error",
                remaining: 1
            )
        )
        let comment = try await client.createComment(onIssue: number, in: repository, body: "after the waits")
        #expect(comment.body == "after the waits")
        // The comment was created once; the GET that failed with 502 was sent again.
        #expect(try await client.comments(onIssue: number, in: repository).count == 1)
        let waits = waiter.recorded
        #expect(waits.count == 3)
        #expect(waits.first == .seconds(7), "retry-after: 7")
        #expect(waits.dropFirst().first == .seconds(31), "until x-ratelimit-reset, and a second more")
        #expect((waits.last ?? .zero) <= .seconds(1) && (waits.last ?? .zero) > .zero, "5xx, first attempt: backoff up to 1 s")
    }

    @Test("9: a POST GitHub fails with a 5xx is not sent again; the status writer looks for what GitHub made before creating")
    func postsAreNotRepeatedAfterAServerError() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let client = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let number = try await openIssue(client)
        let path = "/repos/acme/web/issues/\(number)/comments"
        await sandbox.state.addFault(.init(method: "POST", pathPrefix: path, status: 502, message: "Server Error", afterDoing: true))
        let error = await #expect(throws: GitHubAPIError.self) { try await client.createComment(onIssue: number, in: repository, body: "once") }
        #expect(error?.mayHaveBeenDone == true && error?.description.contains("so it was not sent again") == true)
        #expect(await sandbox.state.requests.filter { $0.method == "POST" && $0.path == path }.count == 1)
        #expect(try await client.comments(onIssue: number, in: repository).count == 1, "GitHub made it before failing")

        // The status writer finds the comment GitHub made by its marker rather than making a second.
        await sandbox.state.addFault(.init(method: "POST", pathPrefix: path, status: 503, message: "Unavailable", afterDoing: true))
        let written = try await StatusCommentWriter(client: client, author: "alice").write("Planned.", issue: number, in: repository)
        let all = try await client.comments(onIssue: number, in: repository)
        #expect(all.count == 2 && written.map(\.id) == [all[1].id], "\(all.map(\.body))")
    }

    @Test("12: a refused port fails each attempt at once, and the client's own retries decide, not the request's deadline")
    func aRefusedPortIsNotRetriedUntilTheDeadline() async throws {
        var settings = GitHubClient.Settings(baseURL: try #require(URL(string: "http://127.0.0.1:\(try unusedPort())")))
        settings.requestTimeout = .seconds(120)
        settings.maximumAttempts = 3
        let waiter = RecordingWaiter()
        let client = try await GitHubClient(settings: settings, credentials: .token(Secret("t")), waiter: waiter)
        let started = ContinuousClock.now
        await #expect(throws: GitHubClientError.self) { _ = try await client.send("GET", "/rate_limit", as: .token) }
        #expect(waiter.recorded.count == 2, "three attempts, two backoffs")
        #expect(started.duration(to: .now) < .seconds(60), "AsyncHTTPClient alone would reconnect until the 120 s deadline")
    }

    @Test("11: the conditional-GET cache stays within its entries and bytes, dropping the least recently used")
    func theETagCacheIsBounded() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        var settings = GitHubClient.Settings(baseURL: sandbox.baseURL)
        settings.cacheEntries = 20
        settings.cacheBytes = 64 << 10
        let client = try await GitHubClient(settings: settings, credentials: .token(Secret(SandboxFixture.aliceToken)))
        let number = try await openIssue(client)
        for page in 1...200 {
            _ = try await client.send(
                "GET",
                "/repos/acme/web/issues/\(number)/comments",
                query: [URLQueryItem(name: "page", value: "\(page)")],
                as: .token
            )
            #expect(client.etags.count <= 20)
        }
        let cache = ETagCache(maximumEntries: 1_000, maximumBytes: 10_000)
        for index in 0..<100 { cache.put("k\(index)", etag: "e", body: Data(count: 1_000)) }
        #expect(cache.bytes <= 10_000 && cache.count <= 10)
        #expect(cache.get("k99") != nil && cache.get("k0") == nil, "the newest kept, the oldest gone")
        cache.put("huge", etag: "e", body: Data(count: 5_000))
        #expect(cache.get("huge") == nil, "an answer over a quarter of the bound is not kept")
    }

    @Test func aFinalErrorIsNotRetried() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let waiter = RecordingWaiter()
        let client = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)), waiter: waiter)
        await #expect(throws: GitHubAPIError.self) { try await client.issue(999, in: repository) }
        #expect(waiter.recorded.isEmpty)
        #expect(await sandbox.state.requests.count == 1)
    }

    @Test func mutationsGoOneAtATimeAndSpacedOut() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let client = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)), waiter: TaskSleepWaiter(), gap: .milliseconds(15))
        let number = try await openIssue(client)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<12 {
                group.addTask { _ = try await client.createComment(onIssue: number, in: repository, body: "comment \(index)") }
            }
            try await group.waitForAll()
        }
        let posts = await sandbox.state.requests.filter { $0.method == "POST" && $0.path.hasSuffix("/comments") }.sorted { $0.start < $1.start }
        #expect(posts.count == 12)
        for (earlier, later) in zip(posts, posts.dropFirst()) {
            guard let end = earlier.end else { continue }
            #expect(later.start - end >= .milliseconds(15), "a mutation started before the gap after the previous one")
        }
    }

    @Test func conditionalGETsUseTheETag() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let client = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let number = try await openIssue(client)
        let first = try await client.issue(number, in: repository)
        let second = try await client.issue(number, in: repository)
        #expect(first == second)
        let gets = await sandbox.state.requests.filter { $0.method == "GET" }
        #expect(gets.map(\.status) == [200, 304])
        #expect(gets.last?.headers["if-none-match"] != nil)
    }

    /// Every body the client sent and the sandbox answered validates against GitHub's API description.
    @Test func clientAndSandboxSpeakGitHubsSchemas() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let client = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let number = try await openIssue(client)
        let comment = try await app.createComment(onIssue: number, in: installed, body: "status")
        _ = try await client.updateComment(try await client.createComment(onIssue: number, in: repository, body: "x").id, in: repository, body: "y")
        _ = try await client.comments(onIssue: number, in: repository)
        _ = try await client.addLabels(["gaffer"], toIssue: number, in: repository)
        try await client.removeLabel("gaffer", fromIssue: number, in: repository)
        _ = try await client.updateIssue(number, in: repository, title: "Renamed", labels: ["gaffer"])
        _ = try await client.issue(number, in: repository)
        _ = try await client.react("rocket", toComment: comment.id, in: repository)
        _ = try await client.permission(of: "alice", in: repository)
        _ = try await client.rateLimit(as: .token)
        _ = try await sandbox.push(to: "main", path: "infra/readme.md") { _ in "A file\n" }
        #expect(try await client.fileText("infra/readme.md", ref: "main", in: repository) == "A file\n")
        #expect(try await client.fileText(".gaffer.yml", ref: "main", in: repository) == nil, "a missing file is nil")

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let exchanges = directory.url.appendingPathComponent("exchanges.jsonl")
        // Creating an issue is a person's call, outside the subset Gaffer uses.
        let lines = await sandbox.exchangesJSONLines { $0.path != "/repos/acme/web/issues" }
        try Data(lines.utf8).write(to: exchanges)
        let (status, text) = try Self.checkContract(exchanges)
        #expect(status == 0, "\(text)")
        #expect(text.contains("checked") && !text.contains("checked 0 bodies"), "\(text)")
    }

    /// The contract check can fail: a body GitHub would not send is refused, with the field named.
    @Test func theContractCheckRefusesWhatGitHubWouldNotSend() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let exchanges = directory.url.appendingPathComponent("bad.jsonl")
        let line =
            #"{"method": "PATCH", "path": "/repos/a/b/issues/comments/5", "status": 200, "request_body": "{\"body\": 5}", "response_body": "{\"id\": 5, \"body\": \"hi\"}"}"#
        try Data(line.utf8).write(to: exchanges)
        let (status, text) = try Self.checkContract(exchanges)
        #expect(status == 1)
        #expect(text.contains("is not of type 'string'") && text.contains("'user' is a required property"), "\(text)")
    }

    /// Runs `scripts/github_contract.py` on a file of exchanges; its exit status and output.
    static func checkContract(_ exchanges: URL) throws -> (Int32, String) {
        let spec = try Conformance.directory().appendingPathComponent("github-openapi-subset.json")
        let outcome = try Program.run([
            "python3", Conformance.packageRoot.appendingPathComponent("scripts/github_contract.py").path, spec.path, exchanges.path,
        ])
        return (outcome.status, outcome.outputText + outcome.errorText)
    }
}
