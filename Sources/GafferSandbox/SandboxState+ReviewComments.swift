import Foundation

extension SandboxState {
    /// `POST .../pulls/{n}/comments`: a comment on a line of the diff (`commit_id`, `path`, `line`), or a reply in a
    /// thread (`in_reply_to`, which must be the thread's first comment, as GitHub requires). Emits
    /// `pull_request_review_comment` `created`.
    func createReviewComment(_ owner: String, _ name: String, number: Int, fields: [String: Any], login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "read")
        guard let pull = repository.pulls[number] else { throw SandboxError(404, "Not Found") }
        guard let body = fields["body"] as? String, !body.isEmpty else { throw SandboxError(422, "Validation Failed: body can't be blank") }
        guard body.count <= 65_536 else { throw SandboxError(422, "Validation Failed: body is too long (maximum is 65536 characters)") }
        let thread = repository.reviewComments[number] ?? []
        var comment: ReviewComment
        if let replyTo = (fields["in_reply_to"] as? NSNumber)?.int64Value {
            guard let root = thread.first(where: { $0.id == replyTo }) else { throw SandboxError(404, "Not Found") }
            guard root.inReplyTo == nil else { throw SandboxError(422, "Validation Failed: in_reply_to must be the thread's first comment") }
            comment = ReviewComment(
                id: newID(),
                review: newID(),
                body: body,
                author: login,
                path: root.path,
                line: root.line,
                commit: root.commit,
                inReplyTo: root.id,
                createdAt: now()
            )
        } else {
            guard let commit = fields["commit_id"] as? String, let path = fields["path"] as? String,
                let line = (fields["line"] as? NSNumber)?.intValue
            else { throw SandboxError(422, "Validation Failed: commit_id, path and line are required") }
            // Only lines of the diff take a comment; in the sandbox, lines of the file at that commit.
            guard let file = SandboxGit.file(path, at: commit, in: repository.git),
                (1...max(1, String(decoding: file.data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).count)).contains(line)
            else { throw SandboxError(422, "Validation Failed: pull_request_review_thread.line must be part of the diff") }
            comment = ReviewComment(
                id: newID(),
                review: newID(),
                body: body,
                author: login,
                path: path,
                line: line,
                commit: commit,
                inReplyTo: nil,
                createdAt: now()
            )
        }
        repository.reviewComments[number, default: []].append(comment)
        store(repository)
        let object = reviewCommentObject(comment, pull: number, in: repository, base: base)
        emit(
            "pull_request_review_comment",
            action: "created",
            in: repository,
            sender: login,
            base: base,
            fields: ["comment": object, "pull_request": pullJSON(pull, in: repository, base: base)]
        )
        return (201, SandboxJSON.data(object))
    }

    /// `GET .../pulls/{n}/comments`: the diff's comments, oldest first.
    func reviewComments(_ owner: String, _ name: String, number: Int, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        guard repository.pulls[number] != nil else { throw SandboxError(404, "Not Found") }
        return (
            200, SandboxJSON.data((repository.reviewComments[number] ?? []).map { reviewCommentObject($0, pull: number, in: repository, base: base) })
        )
    }

    private func reviewCommentObject(_ comment: ReviewComment, pull: Int, in repository: Repository, base: String) -> [String: Any] {
        let repo = "\(repository.owner)/\(repository.name)"
        let url = "\(base)/repos/\(repo)/pulls/comments/\(comment.id)"
        let html = "https://github.example.com/\(repo)/pull/\(pull)#discussion_r\(comment.id)"
        let pullAPI = "\(base)/repos/\(repo)/pulls/\(pull)"
        var object: [String: Any] = [
            "url": url, "id": comment.id, "node_id": "PRRC_\(comment.id)", "pull_request_review_id": comment.review,
            "diff_hunk": "@@ -0,0 +1,\(comment.line) @@", "path": comment.path, "position": comment.line, "original_position": comment.line,
            "commit_id": comment.commit, "original_commit_id": comment.commit,
            "user": SandboxJSON.user(users[comment.author.lowercased()] ?? User(id: 0, login: comment.author, token: ""), base: base),
            "body": comment.body, "created_at": SandboxJSON.time(comment.createdAt), "updated_at": SandboxJSON.time(comment.createdAt),
            "html_url": html, "pull_request_url": pullAPI, "author_association": "COLLABORATOR",
            "_links": ["self": ["href": url], "html": ["href": html], "pull_request": ["href": pullAPI]],
            "start_line": NSNull(), "original_start_line": NSNull(), "start_side": NSNull(), "line": comment.line,
            "original_line": comment.line, "side": "RIGHT", "subject_type": "line",
        ]
        if let replyTo = comment.inReplyTo { object["in_reply_to_id"] = replyTo }
        return object
    }
}
