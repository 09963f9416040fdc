import Foundation

// The parts of GitHub's webhook payloads that Gaffer reads. Field names
// follow GitHub's, in camel case, with the snake-case names spelled out in
// CodingKeys: a decoder's snake-case conversion would rename every key of
// every object it reads, a few hundred per payload. Fields GitHub may send
// as null or leave out are optional.

public struct GitHubUser: Sendable, Decodable, Equatable {
    public var login: String
    public var id: Int64
    public var type: String?
}

public struct GitHubRepository: Sendable, Decodable, Equatable {
    public var id: Int64
    public var name: String
    public var fullName: String
    public var owner: GitHubUser
    public var `private`: Bool
    public var defaultBranch: String?
    public var htmlUrl: String?
    public var cloneUrl: String?

    enum CodingKeys: String, CodingKey {
        case id, name, owner
        case fullName = "full_name"
        case `private` = "private"
        case defaultBranch = "default_branch"
        case htmlUrl = "html_url"
        case cloneUrl = "clone_url"
    }
}

/// A repository as `installation` events list it: no owner object.
public struct GitHubRepositoryReference: Sendable, Decodable, Equatable {
    public var id: Int64
    public var name: String
    public var fullName: String
    public var `private`: Bool

    enum CodingKeys: String, CodingKey {
        case id, name
        case fullName = "full_name"
        case `private` = "private"
    }
}

public struct GitHubInstallationReference: Sendable, Decodable, Equatable {
    public var id: Int64
}

public struct GitHubLabel: Sendable, Decodable, Equatable {
    public var name: String

    public init(name: String) {
        self.name = name
    }
}

public struct GitHubIssue: Sendable, Decodable, Equatable {
    public var id: Int64
    public var number: Int
    public var title: String
    public var body: String?
    /// Left out of some deliveries (an issue being transferred).
    public var state: String?
    public var user: GitHubUser
    public var labels: [GitHubLabel]?
    public var htmlUrl: String
    public var authorAssociation: String?
    /// Present when the issue is a pull request (comments on PRs arrive as `issue_comment`).
    public var pullRequest: PullRequestLink?

    enum CodingKeys: String, CodingKey {
        case id, number, title, body, state, user, labels
        case htmlUrl = "html_url"
        case authorAssociation = "author_association"
        case pullRequest = "pull_request"
    }

    public struct PullRequestLink: Sendable, Decodable, Equatable {
        public var url: String?
    }
}

public struct GitHubComment: Sendable, Decodable, Equatable {
    public var id: Int64
    public var body: String
    public var user: GitHubUser
    public var htmlUrl: String
    public var authorAssociation: String?

    enum CodingKeys: String, CodingKey {
        case id, body, user
        case htmlUrl = "html_url"
        case authorAssociation = "author_association"
    }
}

public struct GitHubPullRequest: Sendable, Decodable, Equatable {
    public var id: Int64
    public var number: Int
    public var title: String
    public var body: String?
    public var state: String
    public var merged: Bool?
    public var draft: Bool?
    public var user: GitHubUser
    public var head: Branch
    public var base: Branch
    public var htmlUrl: String

    enum CodingKeys: String, CodingKey {
        case id, number, title, body, state, merged, draft, user, head, base
        case htmlUrl = "html_url"
    }

    public struct Branch: Sendable, Decodable, Equatable {
        public var ref: String
        public var sha: String
        /// The repository the branch is in: another one for a fork's pull request; null when that fork is gone.
        public var repo: Repository?
    }

    public struct Repository: Sendable, Decodable, Equatable {
        public var fullName: String

        enum CodingKeys: String, CodingKey {
            case fullName = "full_name"
        }
    }
}

public struct GitHubCheckRun: Sendable, Decodable, Equatable {
    public var id: Int64
    public var name: String
    public var headSha: String
    public var status: String
    public var conclusion: String?
    public var externalId: String?

    enum CodingKeys: String, CodingKey {
        case id, name, status, conclusion
        case headSha = "head_sha"
        case externalId = "external_id"
    }
}

/// `issues`: opened, edited, labeled, closed, ...
public struct IssuesEvent: Sendable, Decodable, Equatable {
    public var action: String
    public var issue: GitHubIssue
    public var label: GitHubLabel?
    public var repository: GitHubRepository
    public var sender: GitHubUser
    public var installation: GitHubInstallationReference?
}

/// `issue_comment`: created, edited, deleted.
public struct IssueCommentEvent: Sendable, Decodable, Equatable {
    public var action: String
    public var issue: GitHubIssue
    public var comment: GitHubComment
    public var repository: GitHubRepository
    public var sender: GitHubUser
    public var installation: GitHubInstallationReference?
}

/// `pull_request_review_comment`: a comment on a pull request's diff, or a reply in its thread.
public struct PullRequestReviewCommentEvent: Sendable, Decodable, Equatable {
    public var action: String
    public var comment: ReviewComment
    public var pullRequest: GitHubPullRequest
    public var repository: GitHubRepository
    public var sender: GitHubUser
    public var installation: GitHubInstallationReference?

    enum CodingKeys: String, CodingKey {
        case action, comment, repository, sender, installation
        case pullRequest = "pull_request"
    }

    /// A review comment: on a file's line, and in reply to its thread's first comment when it is a reply.
    public struct ReviewComment: Sendable, Decodable, Equatable {
        public var id: Int64
        public var body: String
        public var user: GitHubUser
        public var path: String
        public var line: Int?
        public var inReplyToID: Int64?

        enum CodingKeys: String, CodingKey {
            case id, body, user, path, line
            case inReplyToID = "in_reply_to_id"
        }
    }
}

/// `pull_request`: opened, closed, synchronize, ...
public struct PullRequestEvent: Sendable, Decodable, Equatable {
    public var action: String
    public var number: Int
    public var pullRequest: GitHubPullRequest
    public var repository: GitHubRepository
    public var sender: GitHubUser
    public var installation: GitHubInstallationReference?

    enum CodingKeys: String, CodingKey {
        case action, number, repository, sender, installation
        case pullRequest = "pull_request"
    }
}

/// `ping`: sent when a webhook is set up.
public struct PingEvent: Sendable, Decodable, Equatable {
    public var zen: String
    public var hookId: Int64
    public var repository: GitHubRepository?
    public var sender: GitHubUser?

    enum CodingKeys: String, CodingKey {
        case zen, repository, sender
        case hookId = "hook_id"
    }
}

/// `installation`: the app was installed, removed, suspended, ...
public struct InstallationEvent: Sendable, Decodable, Equatable {
    public var action: String
    public var installation: Installation
    public var repositories: [GitHubRepositoryReference]?
    public var sender: GitHubUser

    public struct Installation: Sendable, Decodable, Equatable {
        public var id: Int64
        public var account: GitHubUser
    }
}

/// `check_run`: created, completed, rerequested, requested_action.
public struct CheckRunEvent: Sendable, Decodable, Equatable {
    public var action: String
    public var checkRun: GitHubCheckRun
    public var requestedAction: RequestedAction?
    public var repository: GitHubRepository
    public var sender: GitHubUser
    public var installation: GitHubInstallationReference?

    enum CodingKeys: String, CodingKey {
        case action, repository, sender, installation
        case checkRun = "check_run"
        case requestedAction = "requested_action"
    }

    public struct RequestedAction: Sendable, Decodable, Equatable {
        public var identifier: String
    }
}
