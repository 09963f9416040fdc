import Foundation

/// Keeps one status comment per issue or pull request, found again by a
/// hidden marker and edited in place. Text over GitHub's limit goes into
/// numbered parts. Two writers racing converge on one comment per part: after
/// creating one, a writer lists again, keeps the oldest and deletes the rest.
public struct StatusCommentWriter: Sendable {
    let client: GitHubClient
    /// Only comments written by this login count (the app's bot); nil: any author.
    let author: String?

    public init(client: GitHubClient, author: String?) {
        self.client = client
        self.author = author
    }

    static func marker(key: String, part: Int, version: String?) -> String {
        "<!-- gaffer:status key=\(key) part=\(part)\(version.map { " version=\($0)" } ?? "") -->"
    }

    /// Writes `body` as the status comment `key` of the issue; returns the comments that now hold it.
    ///
    /// `version` orders writers that may run out of order (a retried job after a newer one): it is
    /// kept in the marker, and a body whose version is older than the one written is not written.
    /// Versions compare as text, so they must sort that way (ISO 8601 times in UTC do).
    @discardableResult
    public func write(
        _ body: String,
        key: String = "status",
        version: String? = nil,
        issue: Int,
        in repository: RepositoryRef
    ) async throws -> [GitHubCommentDetails] {
        let parts = CommentSplitter.split(body, limit: CommentSplitter.commentLimit - 96).enumerated().map { index, text in
            "\(Self.marker(key: key, part: index + 1, version: version))\n\(text)"
        }
        var existing = try await statusComments(key: key, issue: issue, in: repository)
        if let version, let current = existing[1]?.first, let written = Self.version(of: current), written > version {
            return existing.keys.sorted().compactMap { existing[$0]?.first }
        }
        var created = false
        var written: [GitHubCommentDetails] = []
        for (index, text) in parts.enumerated() {
            if let current = existing[index + 1]?.first {
                written.append(current.body == text ? current : try await client.updateComment(current.id, in: repository, body: text))
            } else {
                written.append(try await create(text, part: index + 1, key: key, issue: issue, in: repository))
                created = true
            }
        }
        if created {
            // Another writer may have created the same part meanwhile: keep the oldest.
            existing = try await statusComments(key: key, issue: issue, in: repository)
            written = []
            for (index, text) in parts.enumerated() {
                guard let keep = existing[index + 1]?.first else { continue }
                written.append(keep.body == text ? keep : try await client.updateComment(keep.id, in: repository, body: text))
            }
        }
        for (part, comments) in existing {
            let extra = part > parts.count ? comments : Array(comments.dropFirst())
            for comment in extra { try await delete(comment.id, in: repository) }
        }
        return written
    }

    /// Creates a part; when GitHub fails in a way that may have created it anyway, looks for it
    /// by its marker before creating it once more.
    private func create(_ text: String, part: Int, key: String, issue: Int, in repository: RepositoryRef) async throws -> GitHubCommentDetails {
        do {
            return try await client.createComment(onIssue: issue, in: repository, body: text)
        } catch let error as GitHubAPIError where error.mayHaveBeenDone {
            if let made = try await statusComments(key: key, issue: issue, in: repository)[part]?.first(where: { $0.body == text }) {
                return made
            }
            return try await client.createComment(onIssue: issue, in: repository, body: text)
        }
    }

    /// The first part of the status comment `key` as this writer's author wrote it, and the version in its marker.
    public func read(key: String = "status", issue: Int, in repository: RepositoryRef) async throws -> (body: String, version: String?)? {
        guard let first = try await statusComments(key: key, issue: issue, in: repository)[1]?.first else { return nil }
        return (first.body ?? "", Self.version(of: first))
    }

    /// The version in a comment's marker, if it has one.
    static func version(of comment: GitHubCommentDetails) -> String? {
        guard let firstLine = comment.body?.prefix(while: { $0 != "\n" }), let range = firstLine.range(of: " version=") else { return nil }
        return String(firstLine[range.upperBound...].prefix { $0 != " " })
    }

    /// The status comments of the issue by part number, oldest first.
    private func statusComments(key: String, issue: Int, in repository: RepositoryRef) async throws -> [Int: [GitHubCommentDetails]] {
        let prefix = "<!-- gaffer:status key=\(key) part="
        var byPart: [Int: [GitHubCommentDetails]] = [:]
        for comment in try await client.comments(onIssue: issue, in: repository) {
            guard let body = comment.body, body.hasPrefix(prefix) else { continue }
            if let author, comment.user?.login.caseInsensitiveCompare(author) != .orderedSame { continue }
            let number = body.dropFirst(prefix.count).prefix(while: \.isNumber)
            guard let part = Int(number) else { continue }
            byPart[part, default: []].append(comment)
        }
        return byPart.mapValues { $0.sorted { $0.id < $1.id } }
    }

    private func delete(_ id: Int64, in repository: RepositoryRef) async throws {
        do {
            try await client.deleteComment(id, in: repository)
        } catch let error as GitHubAPIError where error.status == 404 {
            // The other writer deleted it first.
        }
    }
}
