import Foundation

/// Issues, comments, labels and reactions.
extension GitHubClient {
    public func issue(_ number: Int, in repository: RepositoryRef) async throws -> GitHubIssueDetails {
        try await send("GET", "\(repository.path)/issues/\(number)", as: repository.caller, decoding: GitHubIssueDetails.self)
    }

    /// Changes an issue; nil fields are left as they are.
    /// A file's text at `ref` (a branch, tag or commit), or nil when there is no such file.
    public func fileText(_ path: String, ref: String?, in repository: RepositoryRef) async throws -> String? {
        struct File: Decodable, Sendable {
            var content: String
            var encoding: String
        }
        let file: File
        do {
            file = try await send(
                "GET",
                "\(repository.path)/contents/\(path)",
                query: ref.map { [URLQueryItem(name: "ref", value: $0)] } ?? [],
                as: repository.caller,
                decoding: File.self
            )
        } catch let error as GitHubAPIError where error.status == 404 {
            return nil
        }
        guard file.encoding == "base64", let data = Data(base64Encoded: file.content, options: .ignoreUnknownCharacters) else {
            throw GitHubClientError("GitHub sent \(path) encoded as \(file.encoding), not base64")
        }
        return String(decoding: data, as: UTF8.self)
    }

    public func updateIssue(
        _ number: Int,
        in repository: RepositoryRef,
        title: String? = nil,
        body: String? = nil,
        state: String? = nil,
        labels: [String]? = nil
    ) async throws -> GitHubIssueDetails {
        struct Body: Encodable, Sendable {
            var title: String?
            var body: String?
            var state: String?
            var labels: [String]?
        }
        return try await send(
            "PATCH",
            "\(repository.path)/issues/\(number)",
            body: Body(title: title, body: body, state: state, labels: labels),
            as: repository.caller,
            decoding: GitHubIssueDetails.self
        )
    }

    /// The issues (not pull requests) carrying every one of `labels`, newest first; the first 100.
    public func issues(labeled labels: [String], state: String = "open", in repository: RepositoryRef) async throws -> [GitHubIssueDetails] {
        try await send(
            "GET",
            "\(repository.path)/issues",
            query: [
                URLQueryItem(name: "labels", value: labels.joined(separator: ",")), URLQueryItem(name: "state", value: state),
                URLQueryItem(name: "per_page", value: "100"),
            ],
            as: repository.caller,
            decoding: [GitHubIssueDetails].self
        ).filter { $0.pullRequest == nil }
    }

    /// Every comment on an issue, page by page (100 a page).
    public func comments(onIssue number: Int, in repository: RepositoryRef) async throws -> [GitHubCommentDetails] {
        try await everyPage("\(repository.path)/issues/\(number)/comments", as: repository.caller)
    }

    /// Every item of a list, a hundred a page, up to a hundred pages.
    func everyPage<Item: Decodable & Sendable>(_ path: String, as caller: GitHubCaller) async throws -> [Item] {
        var all: [Item] = []
        var page = 1
        while true {
            let batch = try await send(
                "GET",
                path,
                query: [URLQueryItem(name: "per_page", value: "100"), URLQueryItem(name: "page", value: String(page))],
                as: caller,
                decoding: [Item].self
            )
            all += batch
            guard batch.count == 100, page < 100 else { return all }
            page += 1
        }
    }

    public func createIssue(in repository: RepositoryRef, title: String, body: String, labels: [String]) async throws -> GitHubIssueDetails {
        struct NewIssue: Encodable, Sendable {
            var title: String
            var body: String
            var labels: [String]
        }
        return try await send(
            "POST",
            "\(repository.path)/issues",
            body: NewIssue(title: title, body: body, labels: labels),
            as: repository.caller,
            decoding: GitHubIssueDetails.self
        )
    }

    public func createComment(onIssue number: Int, in repository: RepositoryRef, body: String) async throws -> GitHubCommentDetails {
        try await send(
            "POST",
            "\(repository.path)/issues/\(number)/comments",
            body: ["body": body],
            as: repository.caller,
            decoding: GitHubCommentDetails.self
        )
    }

    public func updateComment(_ id: Int64, in repository: RepositoryRef, body: String) async throws -> GitHubCommentDetails {
        try await send(
            "PATCH",
            "\(repository.path)/issues/comments/\(id)",
            body: ["body": body],
            as: repository.caller,
            decoding: GitHubCommentDetails.self
        )
    }

    public func deleteComment(_ id: Int64, in repository: RepositoryRef) async throws {
        try await send("DELETE", "\(repository.path)/issues/comments/\(id)", as: repository.caller)
    }

    /// Adds labels; adding one that is there already changes nothing.
    @discardableResult
    public func addLabels(_ labels: [String], toIssue number: Int, in repository: RepositoryRef) async throws -> [GitHubLabel] {
        try await send(
            "POST",
            "\(repository.path)/issues/\(number)/labels",
            body: ["labels": labels],
            as: repository.caller,
            decoding: [GitHubLabel].self
        )
    }

    /// Removes a label; removing one that is not there is not an error.
    public func removeLabel(_ label: String, fromIssue number: Int, in repository: RepositoryRef) async throws {
        do {
            try await send("DELETE", "\(repository.path)/issues/\(number)/labels/\(label.pathEscaped)", as: repository.caller)
        } catch let error as GitHubAPIError where error.status == 404 {
            return
        }
    }

    /// Reacts to a comment (`+1`, `eyes`, `rocket`, ...); GitHub answers 200 when the reaction was there already.
    @discardableResult
    public func react(_ content: String, toComment id: Int64, in repository: RepositoryRef) async throws -> GitHubReaction {
        try await send(
            "POST",
            "\(repository.path)/issues/comments/\(id)/reactions",
            body: ["content": content],
            as: repository.caller,
            decoding: GitHubReaction.self
        )
    }

    /// Makes a label in the repository; one that is there already (any case) is left as it is.
    /// Returns whether it was made.
    @discardableResult
    public func createLabel(_ name: String, color: String, description: String, in repository: RepositoryRef) async throws -> Bool {
        struct Body: Encodable, Sendable {
            var name: String
            var color: String
            var description: String
        }
        do {
            _ = try await send(
                "POST",
                "\(repository.path)/labels",
                body: Body(name: name, color: color, description: description),
                as: repository.caller
            )
            return true
        } catch let error as GitHubAPIError where error.status == 422 {
            // GitHub says `already_exists` inside `errors`; asking for the label is the plain way to be sure.
            if (try? await send("GET", "\(repository.path)/labels/\(name.pathEscaped)", as: repository.caller)) != nil { return false }
            throw error
        }
    }

    /// Reacts to an issue itself (`eyes` when Gaffer takes it); GitHub answers 200 when the reaction was there already.
    @discardableResult
    public func react(_ content: String, toIssue number: Int, in repository: RepositoryRef) async throws -> GitHubReaction {
        try await send(
            "POST",
            "\(repository.path)/issues/\(number)/reactions",
            body: ["content": content],
            as: repository.caller,
            decoding: GitHubReaction.self
        )
    }

    /// Whether `user` is an active member of `team` (`org/team-slug`), asked as the repository's installation.
    public func isMember(_ user: String, ofTeam team: String, asFor repository: RepositoryRef) async throws -> Bool {
        let parts = team.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        struct Membership: Decodable, Sendable {
            var state: String
        }
        do {
            let membership = try await send(
                "GET",
                "/orgs/\(parts[0].pathEscaped)/teams/\(parts[1].pathEscaped)/memberships/\(user.pathEscaped)",
                as: repository.caller,
                decoding: Membership.self
            )
            return membership.state == "active"
        } catch let error as GitHubAPIError where error.status == 404 {
            return false
        }
    }

    public func permission(of user: String, in repository: RepositoryRef) async throws -> GitHubCollaboratorPermission {
        try await send(
            "GET",
            "\(repository.path)/collaborators/\(user.pathEscaped)/permission",
            as: repository.caller,
            decoding: GitHubCollaboratorPermission.self
        )
    }

    public func rateLimit(as caller: GitHubCaller) async throws -> GitHubRateLimit {
        try await send("GET", "/rate_limit", as: caller, decoding: GitHubRateLimit.self)
    }
}
