import Foundation

/// What the sandbox's web pages show, read in one go from the state.
extension SandboxState {
    struct WebItem: Sendable {
        var number: Int
        var title: String
        var body: String
        var state: String
        var author: String
        var labels: [String]
        var isPull: Bool
        var head: String?
        var base: String?
        var comments: [(author: String, body: String, at: Date)]
        var files: [(path: String, added: String, removed: String)]
        var checks: [(name: String, status: String, conclusion: String?, title: String?, summary: String?)]
    }

    /// Every repository's `owner/name`, sorted.
    func repositoryNames() -> [String] {
        repositories.values.map { "\($0.owner)/\($0.name)" }.sorted()
    }

    /// Issues and pull requests, newest first.
    func webItems(_ owner: String, _ name: String) -> [WebItem]? {
        guard let repository = repositories["\(owner)/\(name)".lowercased()] else { return nil }
        let issues = repository.issues.values.map { issue in
            WebItem(
                number: issue.number,
                title: issue.title,
                body: issue.body ?? "",
                state: issue.state,
                author: issue.author,
                labels: issue.labels,
                isPull: false,
                comments: [],
                files: [],
                checks: []
            )
        }
        let pulls = repository.pulls.values.map { pull in
            WebItem(
                number: pull.number,
                title: pull.title,
                body: pull.body ?? "",
                state: pull.mergeCommit == nil ? pull.state : "merged",
                author: pull.author,
                labels: [],
                isPull: true,
                head: pull.head,
                base: pull.base,
                comments: [],
                files: [],
                checks: []
            )
        }
        return (issues + pulls).sorted { $0.number > $1.number }
    }

    /// One issue or pull request with its comments, and for a pull request its files and checks.
    func webItem(_ owner: String, _ name: String, number: Int) -> WebItem? {
        guard let repository = repositories["\(owner)/\(name)".lowercased()],
            var item = webItems(owner, name)?.first(where: { $0.number == number })
        else { return nil }
        item.comments = repository.comments.values.filter { $0.issue == number }.sorted { $0.id < $1.id }
            .map { ($0.author, $0.body, $0.createdAt) }
        if let pull = repository.pulls[number] {
            let range =
                "refs/heads/\(pull.base)...\(SandboxGit.resolve("refs/heads/\(pull.head)", in: repository.git) ?? pull.closedHead ?? pull.head)"
            let numstat = (try? SandboxGit.run(["diff", "--numstat", range], in: repository.git)) ?? ""
            item.files = numstat.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: "\t", maxSplits: 2).map(String.init)
                return parts.count == 3 ? (parts[2], parts[0], parts[1]) : nil
            }
            let head = SandboxGit.resolve("refs/heads/\(pull.head)", in: repository.git) ?? pull.closedHead
            item.checks = repository.checkRuns.values.filter { $0.headSha == head }.sorted { $0.id < $1.id }
                .map { ($0.name, $0.status, $0.conclusion, $0.title, $0.summary) }
        }
        return item
    }
}
