import Foundation

/// The shapes GitHub's API description gives each object, filled from the
/// sandbox's state, so that a client cannot tell the sandbox from GitHub by shape.
enum SandboxJSON {
    /// GitHub's time format, `2026-11-21T09:45:40Z`.
    static func time(_ date: Date) -> String { date.formatted(.iso8601) }

    static func data(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    static func user(_ user: SandboxState.User, base: String) -> [String: Any] {
        let api = "\(base)/users/\(user.login)"
        return [
            "login": user.login, "id": user.id, "node_id": "U_\(user.id)", "type": user.type, "site_admin": false,
            "avatar_url": "https://avatars.example.com/u/\(user.id)", "gravatar_id": "", "url": api,
            "html_url": "https://github.example.com/\(user.login)", "followers_url": "\(api)/followers",
            "following_url": "\(api)/following{/other_user}", "gists_url": "\(api)/gists{/gist_id}",
            "starred_url": "\(api)/starred{/owner}{/repo}", "subscriptions_url": "\(api)/subscriptions",
            "organizations_url": "\(api)/orgs", "repos_url": "\(api)/repos", "events_url": "\(api)/events{/privacy}",
            "received_events_url": "\(api)/received_events",
        ]
    }

    static func label(_ name: String, repository: String, base: String) -> [String: Any] {
        let id = Int64(abs(name.hashValue % 1_000_000_000))
        return [
            "id": id, "node_id": "LA_\(id)",
            "url": "\(base)/repos/\(repository)/labels/\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name)",
            "name": name, "description": NSNull(), "color": "ededed", "default": false,
        ]
    }

    /// `pullRequest`: the issue is a pull request's (GitHub lists pull requests as issues too, with a
    /// `pull_request` link).
    static func issue(
        _ issue: SandboxState.Issue,
        repository: String,
        author: [String: Any],
        comments: Int,
        base: String,
        pullRequest: Bool = false
    ) -> [String: Any] {
        let api = "\(base)/repos/\(repository)/issues/\(issue.number)"
        var object: [String: Any] = [
            "id": issue.id, "node_id": "I_\(issue.id)", "number": issue.number, "title": issue.title,
            "body": issue.body ?? NSNull(), "state": issue.state, "locked": false, "comments": comments,
            "labels": issue.labels.map { label($0, repository: repository, base: base) },
            "user": author, "assignee": NSNull(), "assignees": [], "milestone": NSNull(), "closed_at": NSNull(),
            "author_association": "OWNER", "created_at": time(issue.createdAt), "updated_at": time(issue.updatedAt),
            "url": api, "repository_url": "\(base)/repos/\(repository)", "labels_url": "\(api)/labels{/name}",
            "comments_url": "\(api)/comments", "events_url": "\(api)/events",
            "html_url": "https://github.example.com/\(repository)/issues/\(issue.number)",
        ]
        if pullRequest {
            let html = "https://github.example.com/\(repository)/pull/\(issue.number)"
            object["pull_request"] = [
                "url": "\(base)/repos/\(repository)/pulls/\(issue.number)", "html_url": html, "diff_url": html + ".diff",
                "patch_url": html + ".patch",
            ]
            object["html_url"] = html
        }
        return object
    }

    static func comment(_ comment: SandboxState.Comment, repository: String, author: [String: Any], base: String) -> [String: Any] {
        [
            "id": comment.id, "node_id": "IC_\(comment.id)", "body": comment.body, "user": author,
            "url": "\(base)/repos/\(repository)/issues/comments/\(comment.id)",
            "html_url": "https://github.example.com/\(repository)/issues/\(comment.issue)#issuecomment-\(comment.id)",
            "issue_url": "\(base)/repos/\(repository)/issues/\(comment.issue)", "author_association": "NONE",
            "created_at": time(comment.createdAt), "updated_at": time(comment.updatedAt),
        ]
    }

    static func reaction(id: Int64, content: String, user: [String: Any], at date: Date) -> [String: Any] {
        ["id": id, "node_id": "REA_\(id)", "content": content, "user": user, "created_at": time(date)]
    }

    static func error(_ message: String, status: Int) -> Data {
        data(["message": message, "documentation_url": "https://docs.github.com/rest", "status": String(status)])
    }
}
