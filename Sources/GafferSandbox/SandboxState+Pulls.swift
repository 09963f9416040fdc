import Foundation

/// Refs, pull requests and check runs, on the repository's real bare git directory.
extension SandboxState {
    private func key(_ repository: Repository) -> String { "\(repository.owner)/\(repository.name)" }

    // MARK: - Refs

    private func refJSON(_ ref: String, sha: String, in repository: Repository, base: String) -> Data {
        SandboxJSON.data([
            "ref": ref, "node_id": "REF_\(abs(ref.hashValue))", "url": "\(base)/repos/\(key(repository))/git/\(ref)",
            "object": ["type": "commit", "sha": sha, "url": "\(base)/repos/\(key(repository))/git/commits/\(sha)"],
        ])
    }

    func getRef(_ owner: String, _ name: String, ref: String, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        let full = "refs/\(ref)"
        guard let sha = SandboxGit.resolve(full, in: repository.git) else { throw SandboxError(404, "Not Found") }
        return (200, refJSON(full, sha: sha, in: repository, base: base))
    }

    /// `GET .../contents/{path}?ref=`: a file, base64 in lines of 60 as GitHub sends it (directories are not served).
    func contents(_ owner: String, _ name: String, path: String, ref: String?, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        let at = ref ?? "main"
        guard let file = SandboxGit.file(path, at: at, in: repository.git) else { throw SandboxError(404, "Not Found") }
        let encoded = file.data.base64EncodedString()
        let lines = stride(from: 0, to: encoded.count, by: 60).map { start -> String in
            let from = encoded.index(encoded.startIndex, offsetBy: start)
            return String(encoded[from..<(encoded.index(from, offsetBy: 60, limitedBy: encoded.endIndex) ?? encoded.endIndex)])
        }
        let repo = key(repository)
        let api = "\(base)/repos/\(repo)/contents/\(path)?ref=\(at)"
        let git = "\(base)/repos/\(repo)/git/blobs/\(file.blob)"
        let html = "https://github.example.com/\(repo)/blob/\(at)/\(path)"
        let object: [String: Any] = [
            "type": "file", "encoding": "base64", "size": file.data.count, "name": path.split(separator: "/").last.map(String.init) ?? path,
            "path": path, "content": lines.joined(separator: "\n") + "\n", "sha": file.blob, "url": api, "git_url": git, "html_url": html,
            "download_url": "https://raw.github.example.com/\(repo)/\(at)/\(path)", "_links": ["git": git, "self": api, "html": html],
        ]
        return (200, SandboxJSON.data(object))
    }

    func createRef(_ owner: String, _ name: String, ref: String, sha: String, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "write")
        guard ref.hasPrefix("refs/"), ref.split(separator: "/").count >= 3 else {
            throw SandboxError(422, "Reference name must start with 'refs/' and have at least two slashes.")
        }
        guard SandboxGit.resolve(ref, in: repository.git) == nil else { throw SandboxError(422, "Reference already exists") }
        guard SandboxGit.resolve(sha, in: repository.git) != nil else { throw SandboxError(422, "Object does not exist") }
        try SandboxGit.run(["update-ref", ref, sha], in: repository.git)
        refsPushed([RefUpdate(ref: ref, before: Self.zeroSHA, after: sha)], to: owner, name, login: login, base: base)
        return (201, refJSON(ref, sha: sha, in: repository, base: base))
    }

    func updateRef(_ owner: String, _ name: String, ref: String, sha: String, force: Bool, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "write")
        let full = "refs/\(ref)"
        guard let current = SandboxGit.resolve(full, in: repository.git) else { throw SandboxError(422, "Reference does not exist") }
        guard SandboxGit.resolve(sha, in: repository.git) != nil else { throw SandboxError(422, "Object does not exist") }
        if !force, (try? SandboxGit.run(["merge-base", "--is-ancestor", current, sha], in: repository.git)) == nil {
            throw SandboxError(422, "Update is not a fast forward")
        }
        try SandboxGit.run(["update-ref", full, sha], in: repository.git)
        if sha != current { refsPushed([RefUpdate(ref: full, before: current, after: sha)], to: owner, name, login: login, base: base) }
        return (200, refJSON(full, sha: sha, in: repository, base: base))
    }

    func deleteRef(_ owner: String, _ name: String, ref: String, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "write")
        let full = "refs/\(ref)"
        guard let current = SandboxGit.resolve(full, in: repository.git) else { throw SandboxError(422, "Reference does not exist") }
        try SandboxGit.run(["update-ref", "-d", full, current], in: repository.git)
        refsPushed([RefUpdate(ref: full, before: current, after: Self.zeroSHA)], to: owner, name, login: login, base: base)
        return (204, Data())
    }

    // MARK: - Pull requests

    func pullJSON(_ pull: PullRequest, in repository: Repository, base: String) -> [String: Any] {
        let repoKey = key(repository)
        let api = "\(base)/repos/\(repoKey)/pulls/\(pull.number)"
        let html = "https://github.example.com/\(repoKey)/pull/\(pull.number)"
        let owner = users[repository.owner.lowercased()] ?? User(id: repository.id + 1, login: repository.owner, token: "", type: "Organization")
        let repoJSON = SandboxJSON.repository(owner: owner, name: repository.name, id: repository.id, base: base, at: pull.createdAt)
        func side(_ branch: String) -> [String: Any] {
            let kept = branch == pull.head ? pull.closedHead : nil
            let sha = SandboxGit.resolve("refs/heads/\(branch)", in: repository.git) ?? kept ?? pull.mergeCommit ?? String(repeating: "0", count: 40)
            return [
                "label": "\(repository.owner):\(branch)", "ref": branch, "sha": sha, "user": SandboxJSON.user(owner, base: base), "repo": repoJSON,
            ]
        }
        let link = { (href: String) -> [String: Any] in ["href": href] }
        let merged = pull.mergeCommit != nil
        let diff = (try? SandboxGit.run(["diff", "--numstat", "refs/heads/\(pull.base)...refs/heads/\(pull.head)"], in: repository.git)) ?? ""
        let stats = diff.split(separator: "\n").map { $0.split(separator: "\t") }
        let author = users[pull.author.lowercased()] ?? User(id: 0, login: pull.author, token: "")
        return [
            "id": pull.id, "node_id": "PR_\(pull.id)", "number": pull.number, "title": pull.title, "body": pull.body ?? NSNull(),
            "state": pull.state, "locked": false, "draft": false, "user": SandboxJSON.user(author, base: base),
            "url": api, "html_url": html, "diff_url": "\(html).diff", "patch_url": "\(html).patch",
            "issue_url": "\(base)/repos/\(repoKey)/issues/\(pull.number)", "commits_url": "\(api)/commits",
            "review_comments_url": "\(api)/comments", "review_comment_url": "\(base)/repos/\(repoKey)/pulls/comments{/number}",
            "comments_url": "\(base)/repos/\(repoKey)/issues/\(pull.number)/comments",
            "statuses_url": "\(base)/repos/\(repoKey)/statuses/\(side(pull.head)["sha"] as? String ?? "")",
            "head": side(pull.head), "base": side(pull.base),
            "_links": [
                "self": link(api), "html": link(html), "issue": link("\(base)/repos/\(repoKey)/issues/\(pull.number)"),
                "comments": link("\(base)/repos/\(repoKey)/issues/\(pull.number)/comments"), "review_comments": link("\(api)/comments"),
                "review_comment": link("\(base)/repos/\(repoKey)/pulls/comments{/number}"), "commits": link("\(api)/commits"),
                "statuses": link("\(base)/repos/\(repoKey)/statuses/\(side(pull.head)["sha"] as? String ?? "")"),
            ],
            "labels": [], "assignee": NSNull(), "assignees": [], "milestone": NSNull(), "requested_reviewers": [], "requested_teams": [],
            "author_association": "MEMBER", "auto_merge": NSNull(), "active_lock_reason": NSNull(),
            "created_at": SandboxJSON.time(pull.createdAt), "updated_at": SandboxJSON.time(pull.updatedAt),
            "closed_at": pull.closedAt.map(SandboxJSON.time) ?? NSNull(), "merged_at": merged ? SandboxJSON.time(pull.updatedAt) : NSNull(),
            "merge_commit_sha": pull.mergeCommit ?? NSNull(), "merged": merged,
            "merged_by": pull.mergedBy.map { SandboxJSON.user(users[$0.lowercased()] ?? User(id: 0, login: $0, token: ""), base: base) } ?? NSNull(),
            "mergeable": pull.state == "open" ? true : NSNull(), "mergeable_state": pull.state == "open" ? "clean" : "unknown",
            "rebaseable": pull.state == "open", "maintainer_can_modify": false,
            "comments": repository.comments.values.filter { $0.issue == pull.number }.count, "review_comments": 0,
            "commits": Int(
                (try? SandboxGit.run(["rev-list", "--count", "refs/heads/\(pull.base)..refs/heads/\(pull.head)"], in: repository.git)) ?? ""
            ) ?? 0,
            "additions": stats.compactMap { $0.first.flatMap { Int($0) } }.reduce(0, +),
            "deletions": stats.compactMap { $0.count > 1 ? Int($0[1]) : nil }.reduce(0, +),
            "changed_files": stats.count,
        ]
    }

    func createPull(
        _ owner: String,
        _ name: String,
        title: String,
        head: String,
        base branch: String,
        body: String?,
        login: String,
        base: String
    ) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "write")
        let headBranch = head.split(separator: ":").last.map(String.init) ?? head
        guard SandboxGit.resolve("refs/heads/\(headBranch)", in: repository.git) != nil else {
            throw SandboxError(422, "Validation Failed: head \(head) does not exist")
        }
        guard SandboxGit.resolve("refs/heads/\(branch)", in: repository.git) != nil else {
            throw SandboxError(422, "Validation Failed: base \(branch) does not exist")
        }
        if repository.pulls.values.contains(where: { $0.head == headBranch && $0.base == branch && $0.state == "open" }) {
            throw SandboxError(422, "Validation Failed: A pull request already exists for \(owner):\(headBranch).")
        }
        let date = now()
        let pull = PullRequest(
            id: newID(),
            number: repository.nextNumber,
            title: title,
            body: body,
            head: headBranch,
            base: branch,
            author: login,
            createdAt: date,
            updatedAt: date
        )
        repository.nextNumber += 1
        repository.pulls[pull.number] = pull
        store(repository)
        let object = pullJSON(pull, in: repository, base: base)
        emit("pull_request", action: "opened", in: repository, sender: login, base: base, fields: ["number": pull.number, "pull_request": object])
        return (201, SandboxJSON.data(object))
    }

    func getPull(_ owner: String, _ name: String, number: Int, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        guard let pull = repository.pulls[number] else { throw SandboxError(404, "Not Found") }
        return (200, SandboxJSON.data(pullJSON(pull, in: repository, base: base)))
    }

    func listPulls(_ owner: String, _ name: String, head: String?, state: String, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        let headBranch = head.map { $0.split(separator: ":").last.map(String.init) ?? $0 }
        let pulls = repository.pulls.values.sorted { $0.number > $1.number }.filter { pull in
            (state == "all" || pull.state == state) && (headBranch == nil || pull.head == headBranch)
        }
        return (200, SandboxJSON.data(pulls.map { pullJSON($0, in: repository, base: base) }))
    }

    func updatePull(
        _ owner: String,
        _ name: String,
        number: Int,
        title: String?,
        body: String?,
        state: String?,
        login: String,
        base: String
    ) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "write")
        guard var pull = repository.pulls[number] else { throw SandboxError(404, "Not Found") }
        if let title { pull.title = title }
        if let body { pull.body = body }
        let wasOpen = pull.state == "open"
        if let state {
            guard ["open", "closed"].contains(state) else { throw SandboxError(422, "Validation Failed: state must be open or closed") }
            pull.state = state
            pull.closedAt = state == "closed" ? now() : nil
            pull.closedHead = state == "closed" ? SandboxGit.resolve("refs/heads/\(pull.head)", in: repository.git) : nil
        }
        pull.updatedAt = now()
        repository.pulls[number] = pull
        store(repository)
        let object = pullJSON(pull, in: repository, base: base)
        if wasOpen, pull.state == "closed" {
            emit("pull_request", action: "closed", in: repository, sender: login, base: base, fields: ["number": number, "pull_request": object])
        }
        return (200, SandboxJSON.data(object))
    }

    /// `PUT .../pulls/{n}/merge`, a person's call: the base branch gets a merge commit of the head.
    /// `method` merge (a merge commit) or squash (one commit on the base); `sha`, when given, must be the head.
    func mergePull(
        _ owner: String,
        _ name: String,
        number: Int,
        login: String,
        base: String,
        method: String = "merge",
        sha expected: String? = nil,
        title: String? = nil
    ) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "write")
        guard var pull = repository.pulls[number], pull.state == "open" else { throw SandboxError(405, "Pull Request is not mergeable") }
        guard let baseSha = SandboxGit.resolve("refs/heads/\(pull.base)", in: repository.git),
            let headSha = SandboxGit.resolve("refs/heads/\(pull.head)", in: repository.git)
        else { throw SandboxError(405, "Pull Request is not mergeable") }
        guard ["merge", "squash"].contains(method) else { throw SandboxError(422, "Validation Failed: merge_method must be merge or squash here") }
        if let expected, expected != headSha { throw SandboxError(409, "Head branch was modified. Review and try the merge again.") }
        let tree = try SandboxGit.run(["rev-parse", "\(headSha)^{tree}"], in: repository.git)
        let parents = method == "squash" ? ["-p", baseSha] : ["-p", baseSha, "-p", headSha]
        let merge = try SandboxGit.run(
            ["commit-tree", tree] + parents + ["-m", title ?? (method == "squash" ? "\(pull.title) (#\(number))" : "Merge pull request #\(number)")],
            in: repository.git
        )
        try SandboxGit.run(["update-ref", "refs/heads/\(pull.base)", merge, baseSha], in: repository.git)
        pull.state = "closed"
        pull.mergeCommit = merge
        pull.closedHead = headSha
        pull.mergedBy = login
        pull.closedAt = now()
        pull.updatedAt = now()
        repository.pulls[number] = pull
        store(repository)
        refsPushed([RefUpdate(ref: "refs/heads/\(pull.base)", before: baseSha, after: merge)], to: owner, name, login: login, base: base)
        emit(
            "pull_request",
            action: "closed",
            in: repository,
            sender: login,
            base: base,
            fields: ["number": number, "pull_request": pullJSON(pull, in: repository, base: base)]
        )
        return (200, SandboxJSON.data(["sha": merge, "merged": true, "message": "Pull Request successfully merged"]))
    }

    // MARK: - Check runs

    private func checkRunJSON(_ run: CheckRun, in repository: Repository, base: String) -> Data {
        SandboxJSON.data(checkRunObject(run, in: repository, base: base))
    }

    private func checkRunObject(_ run: CheckRun, in repository: Repository, base: String) -> [String: Any] {
        let api = "\(base)/repos/\(key(repository))/check-runs/\(run.id)"
        var appJSON: Any = NSNull()
        if let app {
            let bot = users["\(app.slug)[bot]"] ?? User(id: 0, login: app.slug, token: "")
            let page = "https://github.example.com/apps/\(app.slug)"
            let made = SandboxJSON.time(run.startedAt)
            let object: [String: Any] = [
                "id": app.id, "slug": app.slug, "node_id": "A_\(app.id)", "name": app.slug, "owner": SandboxJSON.user(bot, base: base),
                "description": NSNull(), "external_url": page, "html_url": page, "created_at": made, "updated_at": made,
                "permissions": [String: String](), "events": [String](),
            ]
            appJSON = object
        }
        var output: [String: Any] = ["annotations_count": run.annotations.count, "annotations_url": "\(api)/annotations"]
        output["title"] = run.title ?? NSNull()
        output["summary"] = run.summary ?? NSNull()
        output["text"] = run.text ?? NSNull()
        var object: [String: Any] = [
            "id": run.id, "node_id": "CR_\(run.id)", "head_sha": run.headSha, "name": run.name, "url": api,
            "html_url": "https://github.example.com/\(key(repository))/runs/\(run.id)", "status": run.status,
            "started_at": SandboxJSON.time(run.startedAt), "check_suite": ["id": run.id + 1], "pull_requests": [Any](),
        ]
        object["details_url"] = run.detailsURL ?? NSNull()
        object["conclusion"] = run.conclusion ?? NSNull()
        object["completed_at"] = run.completedAt.map(SandboxJSON.time) ?? NSNull()
        object["external_id"] = run.externalID ?? NSNull()
        object["app"] = appJSON
        object["output"] = output
        return object
    }

    static let checkStatuses: Set<String> = ["queued", "in_progress", "completed"]
    static let checkConclusions: Set<String> = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"]

    private func applyCheckFields(_ fields: [String: Any], to run: inout CheckRun) throws {
        if let status = fields["status"] as? String {
            guard Self.checkStatuses.contains(status) else { throw SandboxError(422, "Validation Failed: status \(status) is not valid") }
            run.status = status
        }
        if let conclusion = fields["conclusion"] as? String {
            guard Self.checkConclusions.contains(conclusion) else {
                throw SandboxError(422, "Validation Failed: conclusion \(conclusion) is not valid")
            }
            run.conclusion = conclusion
            run.status = "completed"
            run.completedAt = now()
        }
        if let external = fields["external_id"] as? String { run.externalID = external }
        if let details = fields["details_url"] as? String { run.detailsURL = details }
        if let output = fields["output"] as? [String: Any] {
            for key in ["summary", "text"] {
                if let text = output[key] as? String, text.unicodeScalars.count > 65_535 {
                    throw SandboxError(422, "Validation Failed: output.\(key) is too long (maximum is 65535 characters)")
                }
            }
            let annotations = output["annotations"] as? [Any] ?? []
            guard annotations.count <= 50 else { throw SandboxError(422, "Validation Failed: only 50 annotations can be sent per request") }
            var added: [Annotation] = []
            for case let annotation as [String: Any] in annotations {
                guard let path = annotation["path"] as? String, let start = annotation["start_line"] as? Int,
                    let end = annotation["end_line"] as? Int, let level = annotation["annotation_level"] as? String,
                    let message = annotation["message"] as? String
                else {
                    throw SandboxError(422, "Validation Failed: an annotation needs path, start_line, end_line, annotation_level and message")
                }
                guard ["notice", "warning", "failure"].contains(level) else {
                    throw SandboxError(422, "Validation Failed: annotation_level \(level) is not notice, warning or failure")
                }
                added.append(
                    Annotation(path: path, startLine: start, endLine: end, level: level, message: message, title: annotation["title"] as? String)
                )
            }
            run.title = output["title"] as? String ?? run.title
            run.summary = output["summary"] as? String ?? run.summary
            run.text = output["text"] as? String ?? run.text
            run.annotations += added
        }
        if run.status == "completed", run.conclusion == nil { throw SandboxError(422, "Validation Failed: a completed check run needs a conclusion") }
    }

    /// `GET .../commits/{ref}/check-runs`: the check runs of a commit, newest first, optionally by name.
    func checkRuns(_ owner: String, _ name: String, ref: String, checkName: String?, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        guard let sha = SandboxGit.resolve(ref, in: repository.git) else { throw SandboxError(422, "No commit found for SHA: \(ref)") }
        let runs = repository.checkRuns.values.filter { $0.headSha == sha && (checkName == nil || $0.name == checkName) }.sorted { $0.id > $1.id }
        return (200, SandboxJSON.data(["total_count": runs.count, "check_runs": runs.map { checkRunObject($0, in: repository, base: base) }]))
    }

    /// `GET .../check-runs/{id}/annotations`.
    func checkRunAnnotations(_ owner: String, _ name: String, id: Int64, login: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        guard let run = repository.checkRuns[id] else { throw SandboxError(404, "Not Found") }
        let items = run.annotations.map { annotation -> [String: Any] in
            [
                "path": annotation.path, "start_line": annotation.startLine, "end_line": annotation.endLine,
                "annotation_level": annotation.level, "message": annotation.message, "title": annotation.title ?? NSNull(),
                "start_column": NSNull(), "end_column": NSNull(), "raw_details": NSNull(), "blob_href": "",
            ]
        }
        return (200, SandboxJSON.data(items))
    }

    func createCheckRun(_ owner: String, _ name: String, fields: [String: Any], login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "write")
        guard let app, login == "\(app.slug)[bot]" else { throw SandboxError(403, "You must authenticate via a GitHub App.") }
        guard let runName = fields["name"] as? String, let headSha = fields["head_sha"] as? String else {
            throw SandboxError(422, "Validation Failed: name and head_sha are required")
        }
        guard SandboxGit.resolve(headSha, in: repository.git) != nil else {
            throw SandboxError(422, "Validation Failed: No commit found for SHA: \(headSha)")
        }
        var run = CheckRun(id: newID(), name: runName, headSha: headSha, status: "queued", startedAt: now())
        try applyCheckFields(fields, to: &run)
        repository.checkRuns[run.id] = run
        store(repository)
        emit(
            "check_run",
            action: "created",
            in: repository,
            sender: login,
            base: base,
            fields: ["check_run": checkRunObject(run, in: repository, base: base)]
        )
        return (201, checkRunJSON(run, in: repository, base: base))
    }

    /// `POST .../check-runs/{id}/rerequest`, a person's "Re-run" on a completed check: `check_run.rerequested` for its app.
    func rerequestCheckRun(_ owner: String, _ name: String, id: Int64, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "write")
        guard let run = repository.checkRuns[id] else { throw SandboxError(404, "Not Found") }
        guard run.status == "completed" else { throw SandboxError(403, "This check run is not rerequestable") }
        emit(
            "check_run",
            action: "rerequested",
            in: repository,
            sender: login,
            base: base,
            fields: ["check_run": checkRunObject(run, in: repository, base: base)]
        )
        return (201, SandboxJSON.data([String: Any]()))
    }

    func updateCheckRun(_ owner: String, _ name: String, id: Int64, fields: [String: Any], login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "write")
        guard let app, login == "\(app.slug)[bot]" else { throw SandboxError(403, "You must authenticate via a GitHub App.") }
        guard var run = repository.checkRuns[id] else { throw SandboxError(404, "Not Found") }
        let wasCompleted = run.status == "completed"
        try applyCheckFields(fields, to: &run)
        repository.checkRuns[id] = run
        store(repository)
        if !wasCompleted, run.status == "completed" {
            emit(
                "check_run",
                action: "completed",
                in: repository,
                sender: login,
                base: base,
                fields: ["check_run": checkRunObject(run, in: repository, base: base)]
            )
        }
        return (200, checkRunJSON(run, in: repository, base: base))
    }

    // MARK: - A person's calls

    func addCollaborator(_ owner: String, _ name: String, user: String, permission: String, login: String) throws -> Reply {
        guard let repository = repositories["\(owner)/\(name)".lowercased()] else { throw SandboxError(404, "Not Found") }
        guard repository.collaborators[login.lowercased()] == "admin" else { throw SandboxError(403, "Must have admin rights to Repository.") }
        guard users[user.lowercased()] != nil else { throw SandboxError(404, "Not Found") }
        let levels = [
            "pull": "read", "triage": "triage", "push": "write", "maintain": "maintain", "admin": "admin",
            "read": "read", "write": "write",
        ]
        guard let level = levels[permission] else { throw SandboxError(422, "Validation Failed: permission \(permission) is not valid") }
        setPermission(level, for: user, in: "\(owner)/\(name)")
        return (204, Data())
    }

    func review(_ owner: String, _ name: String, number: Int, event: String, body: String?, login: String, base: String) throws -> Reply {
        var repository = try repository(owner, name, login: login, needs: "read")
        guard let pull = repository.pulls[number] else { throw SandboxError(404, "Not Found") }
        let states = ["APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"]
        guard let state = states[event] else { throw SandboxError(422, "Validation Failed: event must be APPROVE, REQUEST_CHANGES or COMMENT") }
        guard pull.author.lowercased() != login.lowercased() || state == "COMMENTED" else {
            throw SandboxError(422, "Unprocessable Entity: Can not approve your own pull request")
        }
        let id = newID()
        let commit = SandboxGit.resolve("refs/heads/\(pull.head)", in: repository.git) ?? ""
        repository.reviews[number, default: []].append((id, login, state, body, commit, now()))
        store(repository)
        let review = reviewObject(
            id: id,
            login: login,
            state: state,
            body: body,
            commit: commit,
            at: now(),
            number: number,
            in: repository,
            base: base
        )
        emit(
            "pull_request_review",
            action: "submitted",
            in: repository,
            sender: login,
            base: base,
            fields: ["review": review, "pull_request": pullJSON(pull, in: repository, base: base)]
        )
        return (200, SandboxJSON.data(review))
    }

    /// `GET .../pulls/{n}/reviews`: the reviews, oldest first. In the webhook the state is lowercase;
    /// the REST answer spells it in capitals, as GitHub does.
    func reviews(_ owner: String, _ name: String, number: Int, login: String, base: String) throws -> Reply {
        let repository = try repository(owner, name, login: login, needs: "read")
        guard repository.pulls[number] != nil else { throw SandboxError(404, "Not Found") }
        let list = (repository.reviews[number] ?? []).map { review -> [String: Any] in
            var object = reviewObject(
                id: review.id,
                login: review.user,
                state: review.state,
                body: review.body,
                commit: review.commit,
                at: review.at,
                number: number,
                in: repository,
                base: base
            )
            object["state"] = review.state
            return object
        }
        return (200, SandboxJSON.data(list))
    }

    private func reviewObject(
        id: Int64,
        login: String,
        state: String,
        body: String?,
        commit: String,
        at: Date,
        number: Int,
        in repository: Repository,
        base: String
    ) -> [String: Any] {
        let user = SandboxJSON.user(users[login.lowercased()] ?? User(id: 0, login: login, token: ""), base: base)
        let pullAPI = "\(base)/repos/\(key(repository))/pulls/\(number)"
        let html = "https://github.example.com/\(key(repository))/pull/\(number)#pullrequestreview-\(id)"
        return [
            "id": id, "node_id": "PRR_\(id)", "user": user, "body": body ?? "", "state": state.lowercased(),
            "submitted_at": SandboxJSON.time(at), "commit_id": commit,
            "html_url": html, "pull_request_url": pullAPI, "author_association": "COLLABORATOR",
            "_links": ["html": ["href": html], "pull_request": ["href": pullAPI]],
        ]
    }
}
