import Foundation

public struct GitHubGitRef: Sendable, Decodable, Equatable {
    public struct Object: Sendable, Decodable, Equatable {
        public var sha: String
        public var type: String
    }

    public var ref: String
    public var object: Object
}

public struct PullRequestDetails: Sendable, Decodable, Equatable {
    public struct Branch: Sendable, Decodable, Equatable {
        public var ref: String
        public var sha: String
    }

    public var id: Int64
    public var number: Int
    public var title: String
    public var body: String?
    public var state: String
    public var merged: Bool?
    public var head: Branch
    public var base: Branch
    public var htmlUrl: String
    /// Whether it merges without conflicts; nil while GitHub is still working it out (and in lists).
    public var mergeable: Bool?
    /// `clean`, `dirty` (conflicts), `blocked`, `behind`, `unstable`, `unknown`.
    public var mergeableState: String?
}

/// A pull request review: who, what they concluded, and on which commit.
public struct PullRequestReview: Sendable, Decodable, Equatable {
    public var id: Int64
    public var user: GitHubUser?
    /// APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING.
    public var state: String
    public var commitId: String?
    public var submittedAt: String?
}

/// A check run's output. Summary and text longer than GitHub allows are cut
/// with a pointer to the full log (`CommentSplitter.checkRunText`).
public struct CheckRunOutput: Sendable, Encodable {
    public var title: String
    public var summary: String
    public var text: String?
    public var annotations: [CheckRunAnnotation]

    public init(title: String, summary: String, text: String? = nil, annotations: [CheckRunAnnotation] = []) {
        self.title = title
        self.summary = summary
        self.text = text
        self.annotations = annotations
    }
}

/// A note on a line of a file: a failing test, a lint finding.
public struct CheckRunAnnotation: Sendable, Encodable, Equatable {
    public var path: String
    public var startLine: Int
    public var endLine: Int
    /// `notice`, `warning` or `failure`.
    public var annotationLevel: String
    public var message: String
    public var title: String?

    public init(path: String, startLine: Int, endLine: Int? = nil, level: String, message: String, title: String? = nil) {
        self.path = path
        self.startLine = startLine
        self.endLine = endLine ?? startLine
        self.annotationLevel = level
        self.message = message
        self.title = title
    }
}

public struct CheckRunDetails: Sendable, Decodable, Equatable {
    public struct Output: Sendable, Decodable, Equatable {
        public var title: String?
        public var summary: String?
        public var text: String?
        public var annotationsCount: Int?
    }

    public var id: Int64
    public var name: String
    public var headSha: String
    public var status: String
    public var conclusion: String?
    public var externalId: String?
    public var output: Output?
}

/// An annotation as GitHub lists them back.
public struct CheckRunAnnotationDetails: Sendable, Decodable, Equatable {
    public var path: String
    public var startLine: Int
    public var annotationLevel: String
    public var message: String
    public var title: String?
}

/// Git refs, pull requests and check runs.
extension GitHubClient {
    /// A ref such as `heads/main`, or nil when it does not exist.
    public func ref(_ ref: String, in repository: RepositoryRef) async throws -> GitHubGitRef? {
        do {
            return try await send("GET", "\(repository.path)/git/ref/\(ref)", as: repository.caller, decoding: GitHubGitRef.self)
        } catch let error as GitHubAPIError where error.status == 404 {
            return nil
        }
    }

    public func createRef(_ ref: String, sha: String, in repository: RepositoryRef) async throws -> GitHubGitRef {
        struct Body: Encodable, Sendable {
            var ref: String
            var sha: String
        }
        return try await send(
            "POST",
            "\(repository.path)/git/refs",
            body: Body(ref: "refs/\(ref)", sha: sha),
            as: repository.caller,
            decoding: GitHubGitRef.self
        )
    }

    public func updateRef(_ ref: String, sha: String, force: Bool = false, in repository: RepositoryRef) async throws -> GitHubGitRef {
        struct Body: Encodable, Sendable {
            var sha: String
            var force: Bool
        }
        return try await send(
            "PATCH",
            "\(repository.path)/git/refs/\(ref)",
            body: Body(sha: sha, force: force),
            as: repository.caller,
            decoding: GitHubGitRef.self
        )
    }

    /// Deletes a branch or tag (`heads/gaffer/12-logs`). A ref that is already gone is not an error: the work is done.
    public func deleteRef(_ ref: String, in repository: RepositoryRef) async throws {
        do {
            _ = try await send("DELETE", "\(repository.path)/git/refs/\(ref)", as: repository.caller)
        } catch let error as GitHubAPIError where error.status == 422 || error.status == 404 {
            return
        }
    }

    public func createPullRequest(
        title: String,
        head: String,
        base: String,
        body: String?,
        in repository: RepositoryRef
    ) async throws -> PullRequestDetails {
        struct Body: Encodable, Sendable {
            var title: String
            var head: String
            var base: String
            var body: String?
        }
        return try await send(
            "POST",
            "\(repository.path)/pulls",
            body: Body(title: title, head: head, base: base, body: body),
            as: repository.caller,
            decoding: PullRequestDetails.self
        )
    }

    public func pullRequest(_ number: Int, in repository: RepositoryRef) async throws -> PullRequestDetails {
        try await send("GET", "\(repository.path)/pulls/\(number)", as: repository.caller, decoding: PullRequestDetails.self)
    }

    /// Pull requests whose head is `branch` (any state): how Gaffer finds the PR of its branch again.
    public func pullRequests(head branch: String, in repository: RepositoryRef) async throws -> [PullRequestDetails] {
        try await send(
            "GET",
            "\(repository.path)/pulls",
            query: [
                URLQueryItem(name: "head", value: "\(repository.owner):\(branch)"), URLQueryItem(name: "state", value: "all"),
            ],
            as: repository.caller,
            decoding: [PullRequestDetails].self
        )
    }

    /// The reviews of a pull request, oldest first (the first 100).
    public func reviews(of number: Int, in repository: RepositoryRef) async throws -> [PullRequestReview] {
        try await send(
            "GET",
            "\(repository.path)/pulls/\(number)/reviews",
            query: [URLQueryItem(name: "per_page", value: "100")],
            as: repository.caller,
            decoding: [PullRequestReview].self
        )
    }

    /// Merges the pull request if its head is still `sha` (GitHub answers 409 otherwise).
    /// `method`: merge, squash or rebase.
    @discardableResult
    public func mergePullRequest(
        _ number: Int,
        method: String,
        sha: String,
        title: String? = nil,
        in repository: RepositoryRef
    ) async throws -> String {
        struct Body: Encodable, Sendable {
            var mergeMethod: String
            var sha: String
            var commitTitle: String?
        }
        struct Answer: Decodable, Sendable {
            var sha: String
        }
        return try await send(
            "PUT",
            "\(repository.path)/pulls/\(number)/merge",
            body: Body(mergeMethod: method, sha: sha, commitTitle: title),
            as: repository.caller,
            decoding: Answer.self
        ).sha
    }

    /// The open pull requests, newest first; the first 100.
    public func openPullRequests(in repository: RepositoryRef) async throws -> [PullRequestDetails] {
        try await send(
            "GET",
            "\(repository.path)/pulls",
            query: [URLQueryItem(name: "state", value: "open"), URLQueryItem(name: "per_page", value: "100")],
            as: repository.caller,
            decoding: [PullRequestDetails].self
        )
    }

    public func updatePullRequest(
        _ number: Int,
        title: String? = nil,
        body: String? = nil,
        state: String? = nil,
        in repository: RepositoryRef
    ) async throws -> PullRequestDetails {
        struct Body: Encodable, Sendable {
            var title: String?
            var body: String?
            var state: String?
        }
        return try await send(
            "PATCH",
            "\(repository.path)/pulls/\(number)",
            body: Body(title: title, body: body, state: state),
            as: repository.caller,
            decoding: PullRequestDetails.self
        )
    }

    /// Creates a check run. Annotations beyond GitHub's 50 a request go in follow-up updates.
    public func createCheckRun(
        name: String,
        headSha: String,
        status: String,
        detailsURL: String? = nil,
        externalID: String? = nil,
        output: CheckRunOutput? = nil,
        in repository: RepositoryRef
    ) async throws -> CheckRunDetails {
        struct Body: Encodable, Sendable {
            var name: String
            var headSha: String
            var status: String
            var detailsUrl: String?
            var externalId: String?
            var output: CheckRunOutput?
        }
        let batches = Self.annotationBatches(output)
        let run = try await send(
            "POST",
            "\(repository.path)/check-runs",
            body: Body(name: name, headSha: headSha, status: status, detailsUrl: detailsURL, externalId: externalID, output: batches.first ?? nil),
            as: repository.caller,
            decoding: CheckRunDetails.self
        )
        for batch in batches.dropFirst() { _ = try await updateCheckRun(run.id, output: batch, in: repository) }
        return run
    }

    /// Asks GitHub to run a completed check again: its app gets `check_run.rerequested`.
    public func rerequestCheckRun(_ id: Int64, in repository: RepositoryRef) async throws {
        _ = try await send("POST", "\(repository.path)/check-runs/\(id)/rerequest", as: repository.caller)
    }

    /// The check runs named `name` on a commit (`ref`: a SHA or branch), newest first.
    public func checkRuns(named name: String, for ref: String, in repository: RepositoryRef) async throws -> [CheckRunDetails] {
        struct Page: Decodable, Sendable {
            var checkRuns: [CheckRunDetails]
        }
        return try await send(
            "GET",
            "\(repository.path)/commits/\(ref)/check-runs",
            query: [URLQueryItem(name: "check_name", value: name), URLQueryItem(name: "per_page", value: "100")],
            as: repository.caller,
            decoding: Page.self
        ).checkRuns
    }

    /// The annotations a check run carries (the first 100).
    public func checkRunAnnotations(_ id: Int64, in repository: RepositoryRef) async throws -> [CheckRunAnnotationDetails] {
        try await send(
            "GET",
            "\(repository.path)/check-runs/\(id)/annotations",
            query: [URLQueryItem(name: "per_page", value: "100")],
            as: repository.caller,
            decoding: [CheckRunAnnotationDetails].self
        )
    }

    /// Updates a check run: its status, its conclusion (which completes it), its output.
    @discardableResult
    public func updateCheckRun(
        _ id: Int64,
        status: String? = nil,
        conclusion: String? = nil,
        output: CheckRunOutput? = nil,
        in repository: RepositoryRef
    ) async throws -> CheckRunDetails {
        struct Body: Encodable, Sendable {
            var status: String?
            var conclusion: String?
            var output: CheckRunOutput?
        }
        let batches = Self.annotationBatches(output)
        var run = try await send(
            "PATCH",
            "\(repository.path)/check-runs/\(id)",
            body: Body(status: status, conclusion: conclusion, output: batches.first ?? nil),
            as: repository.caller,
            decoding: CheckRunDetails.self
        )
        for batch in batches.dropFirst() {
            run = try await send(
                "PATCH",
                "\(repository.path)/check-runs/\(id)",
                body: Body(status: nil, conclusion: nil, output: batch),
                as: repository.caller,
                decoding: CheckRunDetails.self
            )
        }
        return run
    }

    /// The output split so that each request carries at most 50 annotations (the text goes with the first).
    static func annotationBatches(_ output: CheckRunOutput?) -> [CheckRunOutput?] {
        guard let output, output.annotations.count > 50 else { return [output] }
        return stride(from: 0, to: output.annotations.count, by: 50).map { start in
            var batch = output
            batch.annotations = Array(output.annotations[start..<min(start + 50, output.annotations.count)])
            if start > 0 { batch.text = nil }
            return batch
        }
    }
}

/// A comment on a pull request's diff, as the review comments API gives it.
public struct GitHubReviewComment: Sendable, Decodable, Equatable {
    public var id: Int64
    public var body: String
    public var user: GitHubUser?
    public var path: String
    public var line: Int?
    /// The thread's first comment, for a reply.
    public var inReplyToID: Int64?

    // The client's decoder turns snake case into camel case before keys are matched.
    enum CodingKeys: String, CodingKey {
        case id, body, user, path, line
        case inReplyToID = "inReplyToId"
    }
}

extension GitHubClient {
    /// The review comments (on the diff) of a pull request, oldest first; the first 10,000.
    public func reviewComments(onPull number: Int, in repository: RepositoryRef) async throws -> [GitHubReviewComment] {
        try await everyPage("\(repository.path)/pulls/\(number)/comments", as: repository.caller)
    }

    /// A reply in a review comment's thread (`in_reply_to` its first comment: GitHub refuses a reply to a reply).
    public func replyToReviewComment(_ id: Int64, onPull number: Int, in repository: RepositoryRef, body: String) async throws -> GitHubReviewComment
    {
        struct Reply: Encodable, Sendable {
            var body: String
            var in_reply_to: Int64
        }
        return try await send(
            "POST",
            "\(repository.path)/pulls/\(number)/comments",
            body: Reply(body: body, in_reply_to: id),
            as: repository.caller,
            decoding: GitHubReviewComment.self
        )
    }

    /// A review comment on `line` of `path` at `commit`, as a person makes one.
    public func createReviewComment(
        onPull number: Int,
        in repository: RepositoryRef,
        body: String,
        commit: String,
        path: String,
        line: Int
    ) async throws -> GitHubReviewComment {
        struct Comment: Encodable, Sendable {
            var body: String
            var commit_id: String
            var path: String
            var line: Int
            var side = "RIGHT"
        }
        return try await send(
            "POST",
            "\(repository.path)/pulls/\(number)/comments",
            body: Comment(body: body, commit_id: commit, path: path, line: line),
            as: repository.caller,
            decoding: GitHubReviewComment.self
        )
    }
}
