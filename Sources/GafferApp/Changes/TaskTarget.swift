import GafferCore
import GafferGitHub

/// The task a command or an event is about: its issue, who asked for it, and its open pull request.
public struct TaskTarget: Sendable {
    public var repository: RepositoryRef
    /// `owner/name`.
    public var fullName: String
    public var cloneURL: String?
    public var issue: Int
    /// The issue's author: the one person who may not approve the task.
    public var requester: String
    /// The issue's author as GitHub names them (login and id), for commits made for them.
    public var requesterUser: GitHubUser?
    /// Whether the issue was open when the command was read.
    public var issueOpen: Bool
    public var task: AwsTask?
    /// The pull request from the task's branch: the open one, else the newest (it may be closed or merged).
    public var pullRequest: PullRequestDetails?

    /// The pull request when it is open: only an open one is planned, approved or unlocked.
    public var openPullRequest: PullRequestDetails? { pullRequest?.state == "open" ? pullRequest : nil }

    /// The target of a comment on an issue or on a pull request from one of Gaffer's branches; nil for
    /// any other pull request.
    static func resolve(
        number: Int,
        isPullRequest: Bool,
        repository: RepositoryRef,
        gitHubRepository: GitHubRepository,
        client: GitHubClient,
        parser: IssueParser
    ) async throws -> TaskTarget? {
        var issueNumber = number
        var pull: PullRequestDetails?
        if isPullRequest {
            let details = try await client.pullRequest(number, in: repository)
            guard let issue = TaskBranch.issue(in: details.head.ref) else { return nil }
            issueNumber = issue
            pull = details
        }
        let issue = try await client.issue(issueNumber, in: repository)
        let author = issue.user?.login ?? ""
        let task = parser.parse(
            IssueInput(title: issue.title, body: issue.body ?? "", labels: issue.labels.map(\.name), author: author, number: issueNumber)
        ).task
        if !isPullRequest {
            // The open pull request of the issue's branch, else the newest one it had (a merged task answers "already applied").
            let prefix = "\(TaskBranch.prefix)\(number)-"
            var found = try await client.openPullRequests(in: repository).first { $0.head.ref.hasPrefix(prefix) }
            if found == nil, let task {
                found = try await client.pullRequests(head: TaskBranch.name(issue: number, task: task), in: repository).max { $0.number < $1.number }
            }
            // A list leaves out whether it merges: ask for the pull request itself.
            if let found { pull = try await client.pullRequest(found.number, in: repository) }
        }
        return TaskTarget(
            repository: repository,
            fullName: gitHubRepository.fullName,
            cloneURL: gitHubRepository.cloneUrl,
            issue: issueNumber,
            requester: author,
            requesterUser: issue.user,
            issueOpen: issue.state == "open",
            task: task,
            pullRequest: pull
        )
    }
}
