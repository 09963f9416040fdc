import Foundation
import GafferCore
import GafferGitHub
import GafferMessages

/// Gaffer's way to GitHub, made on first use (the client's set-up is
/// asynchronous; handlers are made at start). Nil in the handlers when no
/// credentials are configured: Gaffer then only logs what it would say.
public actor GitHubConnection {
    private let configuration: GafferConfiguration
    /// Made once: callers that arrive while it is being made wait for the same one (one token
    /// cache, one mutation gate), and a failed attempt is forgotten so the next call tries again.
    private var setup: Task<Connected, any Error>?
    public let comments: GafferComments

    struct Connected: Sendable {
        let client: GitHubClient
        /// The login Gaffer writes as, asked of GitHub: only its own comments are Gaffer's.
        let login: String
    }

    public init(configuration: GafferConfiguration, comments: GafferComments) {
        self.configuration = configuration
        self.comments = comments
    }

    /// The connection for this configuration, or nil without GitHub credentials.
    public static func make(_ configuration: GafferConfiguration) throws -> GitHubConnection? {
        guard configuration.githubCredentials != nil else { return nil }
        return GitHubConnection(
            configuration: configuration,
            comments: GafferComments(templates: try CommentTemplates.shipped(overrides: configuration.commentTemplatesDirectory))
        )
    }

    public func gitHub() async throws -> GitHubClient {
        try await connected().client
    }

    /// Who Gaffer is on GitHub: the app's bot (`<slug>[bot]`) or the token's user.
    public func login() async throws -> String {
        try await connected().login
    }

    private func connected() async throws -> Connected {
        if let setup { return try await setup.value }
        let configuration = configuration
        let task = Task { () async throws -> Connected in
            guard let credentials = configuration.githubCredentials else { throw GitHubClientError("no GitHub credentials are configured") }
            var settings = GitHubClient.Settings(baseURL: configuration.githubAPIURL)
            settings.minimumMutationGap = .milliseconds(Int64(configuration.githubMutationGapSeconds * 1000))
            settings.redactor = configuration.redactor
            let client = try await GitHubClient(settings: settings, credentials: credentials)
            return Connected(client: client, login: try await client.ownLogin())
        }
        setup = task
        do {
            return try await task.value
        } catch {
            setup = nil
            throw error
        }
    }

    /// Writes a status comment of an issue (`key`: which one), unless a newer `version` is already written.
    public func writeStatus(_ body: String, key: String = "status", version: String? = nil, issue: Int, in repository: RepositoryRef) async throws {
        let connected = try await connected()
        try await StatusCommentWriter(client: connected.client, author: connected.login).write(
            body,
            key: key,
            version: version,
            issue: issue,
            in: repository
        )
    }

    /// The status comment `key` of an issue as Gaffer wrote it (its first part), and the version it was written for.
    public func readStatus(key: String = "status", issue: Int, in repository: RepositoryRef) async throws -> (body: String, version: String?)? {
        let connected = try await connected()
        return try await StatusCommentWriter(client: connected.client, author: connected.login).read(key: key, issue: issue, in: repository)
    }

    private var permissions: [String: (permission: Permission, until: ContinuousClock.Instant)] = [:]

    /// A person's permission on a repository, as GitHub says (its fine-grained role when it
    /// has one), kept for a minute so a comment with several commands asks once.
    public func permission(of login: String, in repository: RepositoryRef) async throws -> Permission {
        let key = "\(repository.owner)/\(repository.name)/\(login)".lowercased()
        if let cached = permissions[key], cached.until > .now { return cached.permission }
        let answer: GitHubCollaboratorPermission
        do {
            answer = try await gitHub().permission(of: login, in: repository)
        } catch let error as GitHubAPIError where error.status == 404 {
            return .none
        }
        let permission = answer.roleName.flatMap(Permission.init(rawValue:)) ?? Permission(rawValue: answer.permission) ?? .none
        if permissions.count > 10_000 { permissions = permissions.filter { $0.value.until > .now } }
        permissions[key] = (permission, .now + .seconds(60))
        return permission
    }

    private var memberships: [String: (member: Bool, until: ContinuousClock.Instant)] = [:]

    /// The teams among `teams` (`org/team-slug`) that `login` belongs to, each answer kept for a minute.
    public func teams(of login: String, among teams: Set<String>, for repository: RepositoryRef) async throws -> Set<String> {
        var member: Set<String> = []
        for team in teams.sorted() {
            let key = "\(team)/\(login)".lowercased()
            if let cached = memberships[key], cached.until > .now {
                if cached.member { member.insert(team) }
                continue
            }
            let answer = try await gitHub().isMember(login, ofTeam: team, asFor: repository)
            if memberships.count > 10_000 { memberships = memberships.filter { $0.value.until > .now } }
            memberships[key] = (answer, .now + .seconds(60))
            if answer { member.insert(team) }
        }
        return member
    }

    /// What the policy needs to know of a person to decide `commands`: their permission, and the teams it names.
    public func actor(
        _ login: String,
        for commands: [CommandName],
        policy: AuthorizationPolicy,
        in repository: RepositoryRef
    ) async throws
        -> AuthorizationPolicy.Actor
    {
        let named = Set(commands.flatMap { policy.allowedTeams[$0] ?? [] })
        let teams = named.isEmpty ? [] : try await teams(of: login, among: named, for: repository)
        return AuthorizationPolicy.Actor(login: login, permission: try await permission(of: login, in: repository), teams: teams)
    }

    private var installationsByOwner: (ids: [String: Int64], until: ContinuousClock.Instant)?

    /// A repository (`owner/name`) with the app's installation on its owner, looked up (and kept for a minute)
    /// when Gaffer is a GitHub App; nil when the app is not installed there or the name is not `owner/name`.
    public func repository(_ fullName: String) async throws -> RepositoryRef? {
        let parts = fullName.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        guard case .app? = configuration.githubCredentials else { return RepositoryRef(owner: parts[0], name: parts[1], installation: nil) }
        if installationsByOwner == nil || installationsByOwner.map({ $0.until <= .now }) == true {
            let installations = try await gitHub().installations()
            var ids: [String: Int64] = [:]
            for installation in installations {
                if let login = installation.account?.login.lowercased() { ids[login] = installation.id }
            }
            installationsByOwner = (ids, .now + .seconds(60))
        }
        guard let installation = installationsByOwner?.ids[parts[0].lowercased()] else { return nil }
        return RepositoryRef(owner: parts[0], name: parts[1], installation: installation)
    }

    /// The issue as it is now (a job may run after a newer event about it).
    public func issue(_ number: Int, in repository: RepositoryRef) async throws -> GitHubIssueDetails {
        try await gitHub().issue(number, in: repository)
    }
}

extension RepositoryRef {
    /// The repository of a webhook, with the installation the delivery came through.
    init?(fullName: String, installation: Int64?) {
        let parts = fullName.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        self.init(owner: parts[0], name: parts[1], installation: installation)
    }
}
