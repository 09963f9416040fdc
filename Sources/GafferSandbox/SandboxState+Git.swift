import Foundation

/// Who may fetch and push over git's HTTP protocol, and what a push raises.
extension SandboxState {
    /// A repository a git request may use, and who is asking (nil: nobody signed in).
    struct GitAccess: Sendable {
        var git: URL
        var login: String?
    }

    /// One ref a push changed.
    struct RefUpdate: Sendable, Equatable {
        var ref: String
        var before: String
        var after: String
    }

    static let zeroSHA = String(repeating: "0", count: 40)

    /// GitHub's rules for a public repository: anyone may fetch; a push needs a known token
    /// (401, so git asks for one) whose owner may write (403 otherwise).
    func gitAccess(_ owner: String, _ name: String, password: String?, pushing: Bool) throws -> GitAccess {
        guard let repository = repositories["\(owner)/\(name)".lowercased()] else { throw SandboxError(404, "Repository not found.") }
        guard let password else {
            if pushing { throw SandboxError(401, "Authentication required to push to \(owner)/\(name).") }
            return GitAccess(git: repository.git, login: nil)
        }
        guard let login = login(forToken: password) else {
            throw SandboxError(401, "Invalid username or token. Password authentication is not supported for Git operations.")
        }
        if pushing {
            do {
                _ = try self.repository(owner, name, login: login, needs: "write")
            } catch {
                throw SandboxError(403, "Permission to \(owner)/\(name).git denied to \(login).")
            }
        }
        return GitAccess(git: repository.git, login: login)
    }

    /// Raises what GitHub raises for the refs a push moved: `push` for each, and
    /// `pull_request.synchronize` for each open pull request whose head it moved.
    /// A command the push refused (the ref is not where it asked) raises nothing.
    func refsPushed(_ updates: [RefUpdate], to owner: String, _ name: String, login: String, base: String) {
        guard var repository = repositories["\(owner)/\(name)".lowercased()] else { return }
        let pusher = users[login.lowercased()] ?? User(id: 0, login: login, token: "")
        for update in updates {
            let now = SandboxGit.resolve(update.ref, in: repository.git) ?? Self.zeroSHA
            guard now == update.after else { continue }
            let html = "https://github.example.com/\(owner)/\(name)"
            let created = update.before == Self.zeroSHA
            let deleted = update.after == Self.zeroSHA
            let forced =
                !created && !deleted
                && (try? SandboxGit.run(["merge-base", "--is-ancestor", update.before, update.after], in: repository.git)) == nil
            let commits = deleted ? [] : pushedCommits(update, in: repository, html: html)
            emit(
                "push",
                action: nil,
                in: repository,
                sender: login,
                base: base,
                fields: [
                    "ref": update.ref, "before": update.before, "after": update.after, "created": created, "deleted": deleted,
                    "forced": forced, "base_ref": NSNull(),
                    "compare": created
                        ? "\(html)/commit/\(update.after.prefix(12))" : "\(html)/compare/\(update.before.prefix(12))...\(update.after.prefix(12))",
                    "commits": commits, "head_commit": commits.last ?? NSNull(),
                    "pusher": ["name": pusher.login, "email": "\(pusher.id)+\(pusher.login)@users.noreply.github.com"],
                ]
            )
            guard update.ref.hasPrefix("refs/heads/"), !deleted else { continue }
            let branch = String(update.ref.dropFirst("refs/heads/".count))
            for number in repository.pulls.keys.sorted() {
                guard var pull = repository.pulls[number], pull.head == branch, pull.state == "open" else { continue }
                pull.updatedAt = self.now()
                repository.pulls[number] = pull
                store(repository)
                emit(
                    "pull_request",
                    action: "synchronize",
                    in: repository,
                    sender: login,
                    base: base,
                    fields: [
                        "number": number, "pull_request": pullJSON(pull, in: repository, base: base), "before": update.before, "after": update.after,
                    ]
                )
            }
        }
    }

    /// The commits a push brought, oldest first, in the shape of a push payload's `commits` (at most 20, as GitHub sends).
    private func pushedCommits(_ update: RefUpdate, in repository: Repository, html: String) -> [[String: Any]] {
        // A new branch's commits are those no other branch or tag has.
        let range =
            update.before == Self.zeroSHA
            ? [update.after, "--not", "--exclude=\(update.ref.replacingOccurrences(of: "refs/heads/", with: ""))", "--branches", "--tags"]
            : ["\(update.before)..\(update.after)"]
        let listed = (try? SandboxGit.run(["rev-list", "--reverse", "--max-count=20"] + range, in: repository.git)) ?? ""
        return listed.split(separator: "\n").compactMap { sha -> [String: Any]? in
            let format = "%T%x00%an%x00%ae%x00%cn%x00%ce%x00%cI%x00%B"
            guard let shown = try? SandboxGit.run(["show", "-s", "--format=\(format)", String(sha)], in: repository.git) else { return nil }
            let parts = shown.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 7 else { return nil }
            let changes =
                (try? SandboxGit.run(["diff-tree", "--root", "--no-commit-id", "--name-status", "-r", String(sha)], in: repository.git)) ?? ""
            var added: [String] = []
            var removed: [String] = []
            var modified: [String] = []
            for line in changes.split(separator: "\n") {
                let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
                guard fields.count == 2 else { continue }
                switch fields[0].prefix(1) {
                case "A": added.append(fields[1])
                case "D": removed.append(fields[1])
                default: modified.append(fields[1])
                }
            }
            return [
                "id": String(sha), "tree_id": parts[0], "distinct": true, "message": parts[6].trimmingCharacters(in: .whitespacesAndNewlines),
                "timestamp": parts[5], "url": "\(html)/commit/\(sha)",
                "author": ["name": parts[1], "email": parts[2]], "committer": ["name": parts[3], "email": parts[4]],
                "added": added, "removed": removed, "modified": modified,
            ]
        }
    }
}
