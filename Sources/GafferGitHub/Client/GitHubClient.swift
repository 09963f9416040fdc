import Foundation
import GafferCore
import Synchronization

/// Where a call goes and whose token it carries.
public enum GitHubCaller: Sendable, Hashable {
    /// The app itself, with its JWT (`/app/...`).
    case app
    /// An installation of the app, with that installation's token.
    case installation(Int64)
    /// The configured personal token.
    case token
}

/// GitHub's REST API with the discipline GitHub asks for: its headers on every
/// call, mutations for one installation one at a time and spaced out, 5xx and
/// rate limits retried after the wait GitHub names, conditional GETs, and a
/// timeout on every call. Tokens never appear in an error.
public final class GitHubClient: Sendable {
    public struct Settings: Sendable {
        /// `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server.
        public var baseURL: URL
        public var userAgent = "gaffer/\(GafferVersion.current)"
        public var minimumMutationGap: Duration = .seconds(1)
        public var requestTimeout: Duration = .seconds(30)
        public var maximumAttempts = 5
        public var backoffBase: Duration = .seconds(1)
        public var backoffMaximum: Duration = .seconds(60)
        /// The wait after a secondary rate limit that names no `retry-after` (GitHub: at least a minute).
        public var secondaryLimitWait: Duration = .seconds(60)
        /// The bounds of the conditional-GET cache.
        public var cacheEntries = 2_000
        public var cacheBytes = 32 << 20
        /// Takes secrets out of everything Gaffer writes to GitHub: comments, issues, check runs.
        public var redactor = Redactor.standard

        public init(baseURL: URL) {
            self.baseURL = baseURL
        }
    }

    public let settings: Settings
    let credentials: GitHubCredentials
    let transport: any GitHubTransport
    let waiter: any RetryWaiter
    let clock: any WallClock
    let tokens: InstallationTokenCache?
    private let gates = Mutex<[GitHubCaller: MutationGate]>([:])
    let etags: ETagCache

    public init(
        settings: Settings,
        credentials: GitHubCredentials,
        transport: any GitHubTransport = AsyncHTTPClientTransport(),
        waiter: any RetryWaiter = TaskSleepWaiter(),
        clock: any WallClock = SystemWallClock()
    ) async throws {
        self.settings = settings
        self.credentials = credentials
        self.transport = transport
        self.waiter = waiter
        self.clock = clock
        etags = ETagCache(maximumEntries: settings.cacheEntries, maximumBytes: settings.cacheBytes)
        if case .app(let id, let key) = credentials {
            tokens = InstallationTokenCache(signer: try await AppJWTSigner(appID: id, privateKeyPEM: key), clock: clock)
        } else {
            tokens = nil
        }
    }

    /// The default caller: the personal token, or the app itself.
    public var defaultCaller: GitHubCaller {
        if case .token = credentials { .token } else { .app }
    }

    // MARK: - Sending

    /// Sends a request and decodes the answer.
    public func send<Answer: Decodable>(
        _ method: String,
        _ path: String,
        query: [URLQueryItem] = [],
        body: (any Encodable & Sendable)? = nil,
        as caller: GitHubCaller,
        decoding: Answer.Type
    ) async throws -> Answer {
        let response = try await send(method, path, query: query, body: body, as: caller)
        do {
            return try GitHubJSON.decoder.decode(Answer.self, from: response.body)
        } catch {
            throw GitHubClientError("could not read GitHub's answer to \(method) \(path): \(error)")
        }
    }

    /// Sends a request and returns the raw answer, after the retries and waits GitHub asks for.
    @discardableResult
    public func send(
        _ method: String,
        _ path: String,
        query: [URLQueryItem] = [],
        body: (any Encodable & Sendable)? = nil,
        as caller: GitHubCaller
    ) async throws -> GitHubHTTPResponse {
        guard var components = URLComponents(url: settings.baseURL, resolvingAgainstBaseURL: false) else {
            throw GitHubClientError("the GitHub base URL \(settings.baseURL) is not a URL")
        }
        components.percentEncodedPath = components.percentEncodedPath.trimmingSuffix("/") + path
        if !query.isEmpty { components.queryItems = query }
        guard let url = components.url else { throw GitHubClientError("\(path) does not make a URL with \(settings.baseURL)") }
        let encoded = try body.map { try GitHubJSON.encoder.encode($0) }
        if method == "GET" || method == "HEAD" {
            return try await exchange(method, url: url, path: path, body: encoded, caller: caller)
        }
        let data = encoded.map(settings.redactor.redactJSON)
        let gate = gates.withLock { gates in
            if let gate = gates[caller] { return gate }
            let gate = MutationGate(minimumGap: settings.minimumMutationGap, waiter: waiter)
            gates[caller] = gate
            return gate
        }
        return try await gate.run { try await self.exchange(method, url: url, path: path, body: data, caller: caller) }
    }

    private func exchange(_ method: String, url: URL, path: String, body: Data?, caller: GitHubCaller) async throws -> GitHubHTTPResponse {
        var renewed = false
        var renewDone = false
        var attempt = 0
        let cacheKey = url.absoluteString
        while true {
            attempt += 1
            let renewNow = renewed && !renewDone
            if renewNow { renewDone = true }
            var headers = standardHeaders(authorization: try await authorization(for: caller, renew: renewNow))
            if body != nil { headers.append(("Content-Type", "application/json")) }
            let cached = method == "GET" ? etags.get(cacheKey) : nil
            if let cached { headers.append(("If-None-Match", cached.etag)) }

            let response: GitHubHTTPResponse
            do {
                response = try await transport.send(
                    GitHubHTTPRequest(method: method, url: url, headers: headers, body: body),
                    timeout: settings.requestTimeout
                )
            } catch {
                // A POST that may have reached GitHub is not sent twice: it could create twice.
                guard method != "POST", attempt < settings.maximumAttempts else {
                    throw GitHubClientError(
                        "\(method) \(path) failed before GitHub answered: \(type(of: error)) \(String(describing: error).prefix(200))"
                    )
                }
                try await waiter.wait(backoff(attempt: attempt))
                continue
            }

            if response.status == 304, let cached {
                return GitHubHTTPResponse(status: 200, headers: response.headers, body: cached.body)
            }
            if (200..<300).contains(response.status) {
                if method == "GET", let etag = response.headers["etag"] {
                    etags.put(cacheKey, etag: etag, body: response.body)
                }
                return response
            }
            guard attempt < settings.maximumAttempts,
                let wait = retryWait(response, method: method, attempt: attempt, caller: caller, renewed: &renewed)
            else {
                throw GitHubAPIError(method: method, path: path, response: response)
            }
            try await waiter.wait(wait)
        }
    }

    /// How long to wait before trying again, or nil when the answer is final.
    private func retryWait(_ response: GitHubHTTPResponse, method: String, attempt: Int, caller: GitHubCaller, renewed: inout Bool) -> Duration? {
        switch response.status {
        case 401:
            // An installation token may have been revoked or expired early: renew it once.
            guard case .installation = caller, !renewed else { return nil }
            renewed = true
            return .zero
        case 403, 429:
            if let retryAfter = response.headers["retry-after"].flatMap(Double.init) {
                return .milliseconds(Int64(max(0, retryAfter) * 1000))
            }
            if response.headers["x-ratelimit-remaining"] == "0", let reset = response.headers["x-ratelimit-reset"].flatMap(Double.init) {
                // The primary budget is spent: wait for it to come back rather than fail.
                let seconds = max(0, reset - clock.now().timeIntervalSince1970) + 1
                return .milliseconds(Int64(seconds * 1000))
            }
            let message = String(decoding: response.body.prefix(2000), as: UTF8.self).lowercased()
            if message.contains("secondary rate limit") {
                return min(settings.secondaryLimitWait * Int(1 << min(attempt - 1, 4)), .seconds(900))
            }
            return nil
        case 500..<600:
            // GitHub may have done a POST's work before failing: sent again, a comment is made twice.
            // The caller looks for what it made (a marker) before it creates again.
            return method == "POST" ? nil : backoff(attempt: attempt)
        default:
            return nil
        }
    }

    /// The token git uses to fetch and push a repository: the installation's (the same cached,
    /// renewed token the API calls use), or the personal token.
    public func gitToken(for repository: RepositoryRef) async throws -> Secret {
        if case .app = credentials, repository.installation == nil {
            throw GitHubClientError(
                "pushing to \(repository.owner)/\(repository.name) as the app needs its installation, and the delivery named none"
            )
        }
        return try await authorization(for: repository.caller, renew: false)
    }

    /// The headers GitHub asks for on every call.
    private func standardHeaders(authorization: Secret) -> [(String, String)] {
        [
            ("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28"),
            ("User-Agent", settings.userAgent), ("Authorization", "Bearer \(authorization.revealed)"),
        ]
    }

    private func backoff(attempt: Int) -> Duration {
        RetryPolicy(baseDelay: settings.backoffBase, maxDelay: settings.backoffMaximum).delay(afterAttempt: attempt)
    }

    private func authorization(for caller: GitHubCaller, renew: Bool) async throws -> Secret {
        switch (caller, credentials) {
        case (_, .token(let token)):
            return token
        case (.app, .app), (.token, .app):
            guard let tokens else { throw GitHubClientError("no app credentials") }
            return try await tokens.appJWT()
        case (.installation(let id), .app):
            guard let tokens else { throw GitHubClientError("no app credentials") }
            return try await tokens.token(for: id, renew: renew) { jwt in
                let answer = try await self.createInstallationToken(installation: id, jwt: jwt)
                return (Secret(answer.token), answer.expiresAt)
            }
        }
    }

    /// `POST /app/installations/{id}/access_tokens` with the app's JWT (not through `send`, which would ask for a token again).
    private func createInstallationToken(installation: Int64, jwt: Secret) async throws -> InstallationAccessToken {
        let url = settings.baseURL.appendingPathComponent("app/installations/\(installation)/access_tokens")
        let response = try await transport.send(
            GitHubHTTPRequest(method: "POST", url: url, headers: standardHeaders(authorization: jwt), body: nil),
            timeout: settings.requestTimeout
        )
        guard response.status == 201 else {
            throw GitHubAPIError(method: "POST", path: "/app/installations/\(installation)/access_tokens", response: response)
        }
        do {
            return try GitHubJSON.decoder.decode(InstallationAccessToken.self, from: response.body)
        } catch {
            throw GitHubClientError("could not read the installation token GitHub gave: \(error)")
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
