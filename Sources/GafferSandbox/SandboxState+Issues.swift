import Foundation

/// The REST operations, on the state; each returns the status and GitHub's body.
extension SandboxState {
    typealias Reply = (status: Int, body: Data)

    func repository(_ owner: String, _ name: String, login: String, needs: String) throws -> Repository {
        guard let repository = repositories["\(owner)/\(name)".lowercased()] else { throw SandboxError(404, "Not Found") }
        let levels = ["read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5]
        let have: Int
        if let app, login == "\(app.slug)[bot]" {
            have = app.installations.values.contains { $0.lowercased() == owner.lowercased() } ? 3 : 0
        } else {
            have = levels[repository.collaborators[login.lowercased()] ?? ""] ?? 0
        }
        // Every sandbox repository is public: anyone signed in may read it, open issues and comment.
        if needs == "read" { return repository }
        guard have > 0 else { throw SandboxError(404, "Not Found") }
        guard have >= levels[needs, default: 5] else { throw SandboxError(403, "Resource not accessible by integration") }
        return repository
    }

    private func userJSON(_ login: String, base: String) -> [String: Any] {
        let user = users[login.lowercased()] ?? User(id: 0, login: login, token: "")
        return SandboxJSON.user(user, base: base)
    }

    private func issueReply(_ issue: Issue, in repository: Repository, status: Int, base: String) -> Reply {
        let count = repository.comments.values.filter { $0.issue == issue.number }.count
        let key = "\(repository.owner)/\(repository.name)"
        return (
            status,
            SandboxJSON.data(
                SandboxJSON.issue(
                    issue, repository: key, author: userJSON(issue.author, base: base), comments: count, base: base,
                    pullRequest: repository.pulls[issue.number] != nil
                )
            )
        )
    }

    private func commentReply(_ comment: Comment, in repository: Repository, status: Int, base: String) -> Reply {
        let key = "\(repository.owner)/\(repository.name)"
        return (status, SandboxJSON.data(SandboxJSON.comment(comment, repository: key, author: userJSON(comment.author, base: base), base: base)))
    }

    private func issueObject(_ issue: Issue, in repository: Repository, base: String) -> [String: Any] {
        let count = repository.comments.values.filter { $0.issue == issue.number }.count
        let key = "\(repository.owner)/\(repository.name)"
        return SandboxJSON.webhookIssue(
            SandboxJSON.issue(
                issue, repository: key, author: userJSON(issue.author, base: base), comments: count, base: base,
                pullRequest: repository.pulls[issue.number] != nil
            )
        )
    }

    /// The issue numbered `number`, or the issue view of the pull request with that number: comments,
    /// reactions and `GET .../issues/{n}` work on pull requests too.
    func issueView(_ repository: Repository, _ number: Int) -> Issue? {
        if let issue = repository.issues[number] { return issue }
        guard let pull = repository.pulls[number] else { return nil }
        var issue = Issue(id: pull.id, number: number, title: pull.title, body: pull.body, author: pull.author, createdAt: pull.createdAt, updatedAt: pull.updatedAt)
        issue.state = pull.state
        return issue
    }

    func store(_ repository: Repository) {
        repositories["\(repository.owner)/\(repository.name)".lowercased()] = repository
    }

    func createIssue(_ owner: String, _ name: String, title: String, body: String?, labels: [String], login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "read")
        let date = now()
        let issue = Issue(
            id: newID(),
            number: repository.nextNumber,
            title: title,
            body: body,
            labels: labels,
            author: login,
            createdAt: date,
            updatedAt: date
        )
        repository.nextNumber += 1
        repository.issues[issue.number] = issue
        store(repository)
        emit("issues", action: "opened", in: repository, sender: login, base: base, fields: ["issue": issueObject(issue, in: repository, base: base)])
        return issueReply(issue, in: repository, status: 201, base: base)
    }

    /// `GET .../issues`: newest first, filtered by state and by labels (all of them, comma-separated).
    func listIssues(_ owner: String, _ name: String, state: String, labels: String?, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        let wanted = labels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        let issues = repository.issues.values.sorted { $0.number > $1.number }.filter { issue in
            (state == "all" || issue.state == state) && wanted.allSatisfy { label in issue.labels.contains { $0.lowercased() == label.lowercased() } }
        }
        let key = "\(repository.owner)/\(repository.name)"
        let objects = issues.map { issue in
            SandboxJSON.issue(
                issue,
                repository: key,
                author: userJSON(issue.author, base: base),
                comments: repository.comments.values.filter { $0.issue == issue.number }.count,
                base: base
            )
        }
        return (200, SandboxJSON.data(objects))
    }

    func getIssue(_ owner: String, _ name: String, number: Int, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        guard let issue = issueView(repository, number) else { throw SandboxError(404, "Not Found") }
        return issueReply(issue, in: repository, status: 200, base: base)
    }

    func updateIssue(
        _ owner: String,
        _ name: String,
        number: Int,
        title: String?,
        body: String? = nil,
        state: String?,
        labels: [String]?,
        login: String,
        base: String
    ) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "triage")
        guard var issue = repository.issues[number] else { throw SandboxError(404, "Not Found") }
        if let state, !["open", "closed"].contains(state) { throw SandboxError(422, "Validation Failed: state must be open or closed") }
        let before = issue
        if let title { issue.title = title }
        if let body { issue.body = body }
        if let state { issue.state = state }
        if let labels { issue.labels = labels }
        issue.updatedAt = now()
        repository.issues[number] = issue
        store(repository)
        let object = issueObject(issue, in: repository, base: base)
        var changes: [String: Any] = [:]
        if issue.title != before.title { changes["title"] = ["from": before.title] }
        if issue.body != before.body { changes["body"] = ["from": before.body ?? ""] }
        if !changes.isEmpty {
            emit("issues", action: "edited", in: repository, sender: login, base: base, fields: ["issue": object, "changes": changes])
        }
        if issue.state != before.state {
            emit(
                "issues",
                action: issue.state == "closed" ? "closed" : "reopened",
                in: repository,
                sender: login,
                base: base,
                fields: ["issue": object]
            )
        }
        return issueReply(issue, in: repository, status: 200, base: base)
    }

    func listComments(_ owner: String, _ name: String, number: Int, page: Int, perPage: Int, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        guard issueView(repository, number) != nil else { throw SandboxError(404, "Not Found") }
        let all = repository.comments.values.filter { $0.issue == number }.sorted { $0.id < $1.id }
        let start = min(all.count, max(0, page - 1) * perPage)
        let slice = all[start..<min(all.count, start + perPage)]
        let key = "\(repository.owner)/\(repository.name)"
        return (200, SandboxJSON.data(slice.map { SandboxJSON.comment($0, repository: key, author: userJSON($0.author, base: base), base: base) }))
    }

    func createComment(_ owner: String, _ name: String, number: Int, body: String, login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "read")
        guard issueView(repository, number) != nil else { throw SandboxError(404, "Not Found") }
        guard body.count <= 65_536 else { throw SandboxError(422, "Validation Failed: body is too long (maximum is 65536 characters)") }
        let date = now()
        let comment = Comment(id: newID(), issue: number, body: body, author: login, createdAt: date, updatedAt: date)
        repository.comments[comment.id] = comment
        store(repository)
        if let issue = issueView(repository, number) {
            let key = "\(repository.owner)/\(repository.name)"
            emit(
                "issue_comment",
                action: "created",
                in: repository,
                sender: login,
                base: base,
                fields: [
                    "issue": issueObject(issue, in: repository, base: base),
                    "comment": SandboxJSON.webhookComment(
                        SandboxJSON.comment(comment, repository: key, author: userJSON(login, base: base), base: base)
                    ),
                ]
            )
        }
        return commentReply(comment, in: repository, status: 201, base: base)
    }

    func updateComment(_ owner: String, _ name: String, id: Int64, body: String, login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "read")
        guard var comment = repository.comments[id] else { throw SandboxError(404, "Not Found") }
        guard comment.author.lowercased() == login.lowercased() || (try? self.repository(owner, name, login: login, needs: "write")) != nil else {
            throw SandboxError(403, "Must have admin rights to Repository.")
        }
        guard body.count <= 65_536 else { throw SandboxError(422, "Validation Failed: body is too long (maximum is 65536 characters)") }
        comment.body = body
        comment.updatedAt = now()
        repository.comments[id] = comment
        store(repository)
        return commentReply(comment, in: repository, status: 200, base: base)
    }

    func deleteComment(_ owner: String, _ name: String, id: Int64, login: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "read")
        guard let comment = repository.comments[id] else { throw SandboxError(404, "Not Found") }
        guard comment.author.lowercased() == login.lowercased() else { throw SandboxError(403, "Must have admin rights to Repository.") }
        repository.comments[id] = nil
        store(repository)
        return (204, Data())
    }

    func addLabels(_ owner: String, _ name: String, number: Int, labels: [String], login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "triage")
        guard var issue = repository.issues[number] else { throw SandboxError(404, "Not Found") }
        let added = labels.filter { !issue.labels.contains($0) }
        issue.labels += added
        repository.issues[number] = issue
        store(repository)
        let key = "\(repository.owner)/\(repository.name)"
        for label in added {
            emit(
                "issues",
                action: "labeled",
                in: repository,
                sender: login,
                base: base,
                fields: ["issue": issueObject(issue, in: repository, base: base), "label": SandboxJSON.label(label, repository: key, base: base)]
            )
        }
        return (200, SandboxJSON.data(issue.labels.map { SandboxJSON.label($0, repository: key, base: base) }))
    }

    func removeLabel(_ owner: String, _ name: String, number: Int, label: String, login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "triage")
        guard var issue = repository.issues[number] else { throw SandboxError(404, "Not Found") }
        guard let index = issue.labels.firstIndex(of: label) else { throw SandboxError(404, "Label does not exist") }
        issue.labels.remove(at: index)
        repository.issues[number] = issue
        store(repository)
        let key = "\(repository.owner)/\(repository.name)"
        return (200, SandboxJSON.data(issue.labels.map { SandboxJSON.label($0, repository: key, base: base) }))
    }

    static let reactions: Set<String> = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]

    func react(_ owner: String, _ name: String, id: Int64, content: String, login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "read")
        guard var comment = repository.comments[id] else { throw SandboxError(404, "Not Found") }
        let reply = try addReaction(content, by: login, to: &comment.reactions, base: base)
        repository.comments[id] = comment
        store(repository)
        return reply
    }

    /// Adds `login`'s reaction unless it is there: 201 with the new one, or 200 with the one there, as GitHub answers.
    private func addReaction(
        _ content: String,
        by login: String,
        to reactions: inout [(id: Int64, content: String, user: String)],
        base: String
    ) throws
        -> Reply
    {
        guard SandboxState.reactions.contains(content) else { throw SandboxError(422, "Validation Failed: content is not a reaction") }
        let existing = reactions.first { $0.content == content && $0.user == login }
        let reaction = existing ?? (id: newID(), content: content, user: login)
        if existing == nil { reactions.append(reaction) }
        return (
            existing == nil ? 201 : 200,
            SandboxJSON.data(SandboxJSON.reaction(id: reaction.id, content: content, user: userJSON(login, base: base), at: now()))
        )
    }

    /// `POST .../labels`: a label of the repository; 422 `already_exists` when one has the name (in any case).
    func createLabel(_ owner: String, _ name: String, label: String, color: String?, description: String?, login: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "write")
        guard !label.isEmpty, label.count <= 50 else { throw SandboxError(422, "Validation Failed: name is invalid") }
        guard !repository.labels.keys.contains(where: { $0.lowercased() == label.lowercased() }) else {
            throw SandboxError(422, "Validation Failed: already_exists")
        }
        let colour = color ?? "ededed"
        guard colour.count == 6, colour.allSatisfy(\.isHexDigit) else { throw SandboxError(422, "Validation Failed: color is invalid") }
        repository.labels[label] = (colour, description)
        store(repository)
        return (201, SandboxJSON.data(["name": label, "color": colour, "description": (description as Any?) ?? NSNull(), "default": false]))
    }

    /// `GET .../labels/{name}`.
    func getLabel(_ owner: String, _ name: String, label: String, login: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        guard let found = repository.labels.first(where: { $0.key.lowercased() == label.lowercased() }) else { throw SandboxError(404, "Not Found") }
        return (
            200,
            SandboxJSON.data([
                "name": found.key, "color": found.value.color, "description": (found.value.description as Any?) ?? NSNull(), "default": false,
            ])
        )
    }

    func reactToIssue(_ owner: String, _ name: String, number: Int, content: String, login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "read")
        guard var issue = repository.issues[number] else { throw SandboxError(404, "Not Found") }
        let reply = try addReaction(content, by: login, to: &issue.reactions, base: base)
        repository.issues[number] = issue
        store(repository)
        return reply
    }

    /// The reactions on a comment, as `content` by `user` (for tests).
    public func commentReactions(_ repository: String, id: Int64) -> [(content: String, user: String)] {
        repositories[repository.lowercased()]?.comments[id]?.reactions.map { ($0.content, $0.user) } ?? []
    }

    /// The reactions on an issue, as `content` by `user` (for tests).
    public func issueReactions(_ repository: String, number: Int) -> [(content: String, user: String)] {
        repositories[repository.lowercased()]?.issues[number]?.reactions.map { ($0.content, $0.user) } ?? []
    }

    func permission(_ owner: String, _ name: String, of username: String, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        guard users[username.lowercased()] != nil else { throw SandboxError(404, "Not Found") }
        let role = repository.collaborators[username.lowercased()] ?? "none"
        // The classic level folds maintain into write and triage into read, as GitHub does.
        let classic = ["admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"][role] ?? "none"
        var user = userJSON(username, base: base)
        user["permissions"] = [
            "admin": role == "admin", "maintain": ["admin", "maintain"].contains(role),
            "push": ["admin", "maintain", "write"].contains(role), "triage": role != "none" && role != "read",
            "pull": role != "none",
        ]
        return (200, SandboxJSON.data(["permission": classic, "role_name": role, "user": user]))
    }

    func installationToken(_ installation: Int64) throws -> Reply {
        guard let issued = issueInstallationToken(for: installation) else { throw SandboxError(404, "Not Found") }
        return (
            201,
            SandboxJSON.data([
                "token": issued.token, "expires_at": SandboxJSON.time(issued.expiresAt),
                "permissions": ["issues": "write", "pull_requests": "write", "checks": "write", "contents": "write"],
                "repository_selection": "all",
            ])
        )
    }
}
