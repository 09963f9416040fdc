import Foundation

/// Webhook payloads with every key GitHub's own carry for the events the
/// sandbox sends (checked against the real payloads in the conformance data).
extension SandboxJSON {
    static func repository(owner: SandboxState.User, name: String, id: Int64, base: String, at date: Date) -> [String: Any] {
        let full = "\(owner.login)/\(name)"
        let api = "\(base)/repos/\(full)"
        let html = "https://github.example.com/\(full)"
        var repository: [String: Any] = [
            "id": id, "node_id": "R_\(id)", "name": name, "full_name": full, "private": false, "owner": user(owner, base: base),
            "html_url": html, "description": NSNull(), "fork": false, "url": api, "homepage": NSNull(), "language": NSNull(),
            "created_at": time(date), "updated_at": time(date), "pushed_at": time(date),
            "git_url": "git://github.example.com/\(full).git", "ssh_url": "git@github.example.com:\(full).git",
            "clone_url": "\(base)/\(full).git", "svn_url": html, "mirror_url": NSNull(), "size": 0, "stargazers_count": 0,
            "watchers_count": 0, "watchers": 0, "forks_count": 0, "forks": 0, "open_issues_count": 0, "open_issues": 0,
            "has_issues": true, "has_projects": true, "has_downloads": true, "has_wiki": true, "has_pages": false,
            "archived": false, "disabled": false, "license": NSNull(), "topics": [], "visibility": "public",
            "default_branch": "main", "is_template": false, "web_commit_signoff_required": false, "custom_properties": [String: Any](),
        ]
        let templated = [
            "forks_url": "/forks", "keys_url": "/keys{/key_id}", "collaborators_url": "/collaborators{/collaborator}",
            "teams_url": "/teams", "hooks_url": "/hooks", "issue_events_url": "/issues/events{/number}", "events_url": "/events",
            "assignees_url": "/assignees{/user}", "branches_url": "/branches{/branch}", "tags_url": "/tags",
            "blobs_url": "/git/blobs{/sha}", "git_tags_url": "/git/tags{/sha}", "git_refs_url": "/git/refs{/sha}",
            "trees_url": "/git/trees{/sha}", "statuses_url": "/statuses/{sha}", "languages_url": "/languages",
            "stargazers_url": "/stargazers", "contributors_url": "/contributors", "subscribers_url": "/subscribers",
            "subscription_url": "/subscription", "commits_url": "/commits{/sha}", "git_commits_url": "/git/commits{/sha}",
            "comments_url": "/comments{/number}", "issue_comment_url": "/issues/comments{/number}",
            "contents_url": "/contents/{+path}", "compare_url": "/compare/{base}...{head}", "merges_url": "/merges",
            "archive_url": "/{archive_format}{/ref}", "downloads_url": "/downloads", "issues_url": "/issues{/number}",
            "pulls_url": "/pulls{/number}", "milestones_url": "/milestones{/number}",
            "notifications_url": "/notifications{?since,all,participating}", "labels_url": "/labels{/name}",
            "releases_url": "/releases{/id}", "deployments_url": "/deployments",
        ]
        for (key, suffix) in templated { repository[key] = api + suffix }
        return repository
    }

    static func reactionRollup(url: String) -> [String: Any] {
        ["url": "\(url)/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0]
    }

    /// The issue as webhooks show it: the REST shape and the keys only webhooks carry.
    static func webhookIssue(_ object: [String: Any]) -> [String: Any] {
        var issue = object
        issue["active_lock_reason"] = NSNull()
        issue["draft"] = false
        issue["reactions"] = reactionRollup(url: object["url"] as? String ?? "")
        return issue
    }

    static func webhookComment(_ object: [String: Any]) -> [String: Any] {
        var comment = object
        comment["performed_via_github_app"] = NSNull()
        comment["reactions"] = reactionRollup(url: object["url"] as? String ?? "")
        return comment
    }
}
