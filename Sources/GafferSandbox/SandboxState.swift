import Foundation

/// Everything the GitHub sandbox knows: users and their tokens, repositories
/// with issues, comments and collaborators, a GitHub App with installations and
/// the tokens it has issued, injected faults, and a log of the requests served.
public actor SandboxState {
    public struct User: Sendable {
        public var id: Int64
        public var login: String
        public var token: String
        public var type = "User"
    }

    struct Comment: Sendable {
        var id: Int64
        var issue: Int
        var body: String
        var author: String
        var createdAt: Date
        var updatedAt: Date
        var reactions: [(id: Int64, content: String, user: String)] = []
    }

    /// A comment on a line of a pull request's diff; a reply carries its thread's first comment.
    struct ReviewComment: Sendable {
        var id: Int64
        var review: Int64
        var body: String
        var author: String
        var path: String
        var line: Int
        var commit: String
        var inReplyTo: Int64?
        var createdAt: Date
    }

    struct Issue: Sendable {
        var id: Int64
        var number: Int
        var title: String
        var body: String?
        var state = "open"
        var labels: [String] = []
        var author: String
        var createdAt: Date
        var updatedAt: Date
        var reactions: [(id: Int64, content: String, user: String)] = []
    }

    struct PullRequest: Sendable {
        var id: Int64
        var number: Int
        var title: String
        var body: String?
        var head: String
        var base: String
        var state = "open"
        var mergeCommit: String?
        /// The head commit when it was closed: GitHub keeps showing it after the branch is deleted.
        var closedHead: String?
        var mergedBy: String?
        var author: String
        var createdAt: Date
        var updatedAt: Date
        var closedAt: Date?
    }

    struct Annotation: Sendable {
        var path: String
        var startLine: Int
        var endLine: Int
        var level: String
        var message: String
        var title: String?
    }

    struct CheckRun: Sendable {
        var id: Int64
        var name: String
        var headSha: String
        var status: String
        var conclusion: String?
        var title: String?
        var summary: String?
        var text: String?
        var annotations: [Annotation] = []
        var externalID: String?
        var detailsURL: String?
        var startedAt: Date
        var completedAt: Date?
    }

    struct Repository: Sendable {
        var id: Int64
        var owner: String
        var name: String
        var git: URL
        var pulls: [Int: PullRequest] = [:]
        var checkRuns: [Int64: CheckRun] = [:]
        var issues: [Int: Issue] = [:]
        var comments: [Int64: Comment] = [:]
        /// Login → `admin`, `maintain`, `write`, `triage` or `read`.
        var collaborators: [String: String] = [:]
        var reviews: [Int: [(id: Int64, user: String, state: String, body: String?, commit: String, at: Date)]] = [:]
        /// Pull request → its comments on the diff, oldest first.
        var reviewComments: [Int: [ReviewComment]] = [:]
        /// The repository's labels: name → (color, description).
        var labels: [String: (color: String, description: String?)] = [:]
        var nextNumber = 1
    }

    public struct App: Sendable {
        public var id: Int64
        public var slug: String
        public var publicKeyPEM: String
        /// Installation id → the account it is installed on.
        public var installations: [Int64: String] = [:]
    }

    /// An answer the sandbox gives instead of the real one, `remaining` times.
    public struct Fault: Sendable, Codable {
        public var method: String
        /// A path prefix, such as `/repos/acme/web/issues`.
        public var pathPrefix: String
        public var status: Int
        public var retryAfter: Int?
        public var rateLimitReset: Int?
        public var message: String
        public var remaining: Int
        /// Answer this much later; with `status` 0 the answer is otherwise the real one (a slow GitHub).
        public var delayMilliseconds: Int?
        /// Do the request's work, then answer with the fault (GitHub failing after it made the comment).
        public var afterDoing: Bool?

        public init(
            method: String,
            pathPrefix: String,
            status: Int,
            retryAfter: Int? = nil,
            rateLimitReset: Int? = nil,
            message: String = "",
            remaining: Int = 1,
            delayMilliseconds: Int? = nil,
            afterDoing: Bool? = nil
        ) {
            self.delayMilliseconds = delayMilliseconds
            self.afterDoing = afterDoing
            self.method = method
            self.pathPrefix = pathPrefix
            self.status = status
            self.retryAfter = retryAfter
            self.rateLimitReset = rateLimitReset
            self.message = message
            self.remaining = remaining
        }
    }

    /// A request as the sandbox saw it, for tests of headers and ordering.
    public struct LoggedRequest: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: Data
        public var start: ContinuousClock.Instant
        public var end: ContinuousClock.Instant?
        public var status: Int?
        public var responseBody: Data?
    }

    var users: [String: User] = [:]
    /// `org/team-slug` (lower case) → the logins of its members.
    var teams: [String: Set<String>] = [:]
    var repositories: [String: Repository] = [:]
    public private(set) var app: App?
    /// Token → (installation, expiry).
    var installationTokens: [String: (installation: Int64, expiresAt: Date)] = [:]
    var faults: [Fault] = []
    var oauthApps: [String: OAuthApp] = [:]
    var oauthCodes: [String: OAuthCode] = [:]
    /// User tokens the OAuth flow gave out → their login.
    var oauthTokens: [String: String] = [:]
    public private(set) var requests: [LoggedRequest] = []
    /// Webhooks that state changes have raised, waiting to be sent.
    struct Event: Sendable {
        var name: String
        var action: String?
        var payload: Data
        var installation: Int64?
        var repositoryID: Int64
    }
    var pendingEvents: [Event] = []
    private var nextID: Int64 = 1_000
    /// How long an installation token lives (an hour on GitHub).
    public var tokenLifetime: TimeInterval = 3_600
    let now: @Sendable () -> Date

    /// Where the repositories' bare git directories live.
    public nonisolated let gitRoot: URL

    /// The sandbox's clock: tokens expire and JWTs are checked by it.
    public func currentTime() -> Date { now() }

    public init(gitRoot: URL? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        self.gitRoot = gitRoot ?? FileManager.default.temporaryDirectory.appendingPathComponent("github-sandbox-\(UUID().uuidString)")
    }

    /// Removes the bare repositories (for tests that made their own state).
    public nonisolated func removeGitRoot() {
        try? FileManager.default.removeItem(at: gitRoot)
    }

    func newID() -> Int64 {
        nextID += 1
        return nextID
    }

    // MARK: - Set-up

    @discardableResult
    public func addUser(_ login: String, token: String, type: String = "User") -> User {
        let user = User(id: newID(), login: login, token: token, type: type)
        users[login.lowercased()] = user
        return user
    }

    func user(_ login: String) -> User? { users[login.lowercased()] }

    /// Adds a repository, backed by a bare git repository with one commit on `main`.
    public func addRepository(owner: String, name: String) throws {
        let git = gitRoot.appendingPathComponent("\(owner)/\(name).git")
        try SandboxGit.create(at: git)
        repositories["\(owner)/\(name)".lowercased()] = Repository(id: newID(), owner: owner, name: name, git: git)
    }

    /// The bare git directory of a repository, to push branches to (`file://` URL).
    public func gitDirectory(of repository: String) -> URL? {
        repositories[repository.lowercased()]?.git
    }

    public func addTeamMember(_ login: String, to team: String) {
        teams[team.lowercased(), default: []].insert(login.lowercased())
    }

    /// `GET /orgs/{org}/teams/{team}/memberships/{user}`: 200 for an active member, else 404, as GitHub answers.
    func teamMembership(org: String, team: String, user: String) throws -> Reply {
        guard teams["\(org)/\(team)".lowercased()]?.contains(user.lowercased()) == true else { throw SandboxError(404, "Not Found") }
        return (200, SandboxJSON.data(["role": "member", "state": "active", "url": ""]))
    }

    public func setPermission(_ permission: String, for login: String, in repository: String) {
        repositories[repository.lowercased()]?.collaborators[login.lowercased()] = permission
    }

    public func registerApp(id: Int64, slug: String, publicKeyPEM: String) {
        app = App(id: id, slug: slug, publicKeyPEM: publicKeyPEM)
        addUser("\(slug)[bot]", token: UUID().uuidString, type: "Bot")
    }

    public func addInstallation(_ id: Int64, account: String) {
        app?.installations[id] = account
    }

    public func addFault(_ fault: Fault) {
        faults.append(fault)
    }

    /// Revokes every installation token, as if they had expired early.
    public func revokeInstallationTokens() {
        installationTokens.removeAll()
    }

    // MARK: - Webhooks

    /// Raises `event.action` for a repository, with the repository, sender and installation GitHub adds.
    func emit(_ event: String, action: String?, in repository: Repository, sender login: String, base: String, fields: [String: Any]) {
        let owner = users[repository.owner.lowercased()] ?? User(id: repository.id + 1, login: repository.owner, token: "", type: "Organization")
        var payload = fields
        if let action { payload["action"] = action }
        var repositoryJSON = SandboxJSON.repository(owner: owner, name: repository.name, id: repository.id, base: base, at: now())
        if event == "push" {
            // A push payload's repository carries two keys of the old API besides.
            repositoryJSON["master_branch"] = repositoryJSON["default_branch"]
            repositoryJSON["stargazers"] = repositoryJSON["stargazers_count"]
        }
        payload["repository"] = repositoryJSON
        payload["sender"] = SandboxJSON.user(users[login.lowercased()] ?? User(id: 0, login: login, token: ""), base: base)
        let installation = app?.installations.first { $0.value.lowercased() == repository.owner.lowercased() }?.key
        if let installation { payload["installation"] = ["id": installation, "node_id": "MDIz\(installation)"] }
        pendingEvents.append(
            Event(name: event, action: action, payload: SandboxJSON.data(payload), installation: installation, repositoryID: repository.id)
        )
    }

    func takeEvents() -> [Event] {
        defer { pendingEvents = [] }
        return pendingEvents
    }

    // MARK: - Requests

    func log(_ request: LoggedRequest) -> Int {
        requests.append(request)
        return requests.count - 1
    }

    func finish(_ index: Int, status: Int, body: Data) {
        guard requests.indices.contains(index) else { return }
        requests[index].end = .now
        requests[index].status = status
        requests[index].responseBody = body
    }

    func takeFault(method: String, path: String) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.method == method && path.hasPrefix($0.pathPrefix) && $0.remaining > 0 }) else { return nil }
        faults[index].remaining -= 1
        return faults[index]
    }

    /// The login a token belongs to: a user's, or the app's bot for an installation token.
    func login(forToken token: String) -> String? {
        if let user = users.values.first(where: { $0.token == token }) { return user.login }
        if let login = oauthTokens[token] { return login }
        if let issued = installationTokens[token], issued.expiresAt > now(), let app { return "\(app.slug)[bot]" }
        return nil
    }

    func issueInstallationToken(for installation: Int64) -> (token: String, expiresAt: Date)? {
        guard app?.installations[installation] != nil else { return nil }
        let token = "ghs_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let expiresAt = now().addingTimeInterval(tokenLifetime)
        installationTokens[token] = (installation, expiresAt)
        return (token, expiresAt)
    }
}
