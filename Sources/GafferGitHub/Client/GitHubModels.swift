import Foundation

/// GitHub's JSON: snake_case keys, ISO 8601 times.
enum GitHubJSON {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// A repository the client works in, and the app installation that covers it.
public struct RepositoryRef: Sendable, Hashable, CustomStringConvertible {
    public var owner: String
    public var name: String
    /// The installation whose token is used; nil with a personal token.
    public var installation: Int64?

    public init(owner: String, name: String, installation: Int64? = nil) {
        self.owner = owner
        self.name = name
        self.installation = installation
    }

    public var description: String { "\(owner)/\(name)" }

    var path: String { "/repos/\(owner.pathEscaped)/\(name.pathEscaped)" }
    var caller: GitHubCaller { installation.map(GitHubCaller.installation) ?? .token }
}

extension String {
    /// One path segment, escaped (a label name may hold a space or a slash).
    var pathEscaped: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? self
    }
}

public struct InstallationAccessToken: Sendable, Decodable {
    public var token: String
    public var expiresAt: Date
}

public struct GitHubCommentDetails: Sendable, Decodable, Equatable {
    public var id: Int64
    public var body: String?
    public var user: GitHubUser?
    public var htmlUrl: String
    public var createdAt: Date
    public var updatedAt: Date
}

public struct GitHubIssueDetails: Sendable, Decodable, Equatable {
    public var id: Int64
    public var number: Int
    public var title: String
    public var body: String?
    public var state: String
    public var labels: [GitHubLabel]
    public var user: GitHubUser?
    public var htmlUrl: String
    /// ISO 8601, to the second.
    public var updatedAt: String?
    /// Present when the issue is a pull request (the issues list holds both).
    public var pullRequest: GitHubIssue.PullRequestLink?
}

public struct GitHubReaction: Sendable, Decodable, Equatable {
    public var id: Int64
    public var content: String
}

/// A person's permission on a repository: `admin`, `maintain`, `write`, `triage`, `read` or `none`.
public struct GitHubCollaboratorPermission: Sendable, Decodable, Equatable {
    /// The classic level (`admin`, `write`, `read`, `none`).
    public var permission: String
    /// The fine level, with `maintain` and `triage`.
    public var roleName: String?
}

public struct GitHubRateLimit: Sendable, Decodable, Equatable {
    public struct Resource: Sendable, Decodable, Equatable {
        public var limit: Int
        public var remaining: Int
        public var reset: Int
        public var used: Int
    }

    public var resources: [String: Resource]
    public var rate: Resource
}

/// The app, as `GET /app` shows it to the app itself.
public struct GitHubAppInfo: Sendable, Decodable, Equatable {
    public var id: Int64
    public var slug: String?
    public var name: String
}

public struct GitHubInstallation: Sendable, Decodable, Equatable {
    public struct Account: Sendable, Decodable, Equatable {
        public var login: String
    }

    public var id: Int64
    public var account: Account?
}
