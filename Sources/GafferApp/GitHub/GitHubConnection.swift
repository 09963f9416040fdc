import Foundation
import GafferCore
import GafferGitHub

/// Gaffer's way to GitHub, made on first use (the client's set-up is
/// asynchronous; handlers are made at start). Nil in the handlers when no
/// credentials are configured: Gaffer then only logs what it would say.
public actor GitHubConnection {
    private let configuration: GafferConfiguration
    private var client: GitHubClient?
    public let comments: GafferComments

    public init(configuration: GafferConfiguration, comments: GafferComments) {
        self.configuration = configuration
        self.comments = comments
    }

    /// The connection for this configuration, or nil without GitHub credentials.
    public static func make(_ configuration: GafferConfiguration) throws -> GitHubConnection? {
        guard configuration.githubCredentials != nil else { return nil }
        return GitHubConnection(configuration: configuration, comments: GafferComments(templates: try CommentTemplates.shipped(overrides: configuration.commentTemplatesDirectory)))
    }

    public func gitHub() async throws -> GitHubClient {
        if let client { return client }
        guard let credentials = configuration.githubCredentials else { throw GitHubClientError("no GitHub credentials are configured") }
        var settings = GitHubClient.Settings(baseURL: configuration.githubAPIURL)
        settings.minimumMutationGap = .milliseconds(Int64(configuration.githubMutationGapSeconds * 1000))
        let made = try await GitHubClient(settings: settings, credentials: credentials)
        client = made
        return made
    }

    /// Writes the status comment of an issue.
    public func writeStatus(_ body: String, issue: Int, in repository: RepositoryRef) async throws {
        try await StatusCommentWriter(client: try await gitHub(), author: configuration.githubAppID == nil ? nil : configuration.botLogin)
            .write(body, issue: issue, in: repository)
    }

    /// Posts a reply (a suggestion, help): a new comment, not the status.
    public func reply(_ body: String, issue: Int, in repository: RepositoryRef) async throws {
        _ = try await gitHub().createComment(onIssue: issue, in: repository, body: body)
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
