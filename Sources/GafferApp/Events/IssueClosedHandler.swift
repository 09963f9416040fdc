import GafferCore
import GafferGitHub
import Logging

/// When an issue is closed: its open pull request from Gaffer's branch is
/// closed and the branch deleted (the issue's status comment says so), and
/// the open tasks that were waiting for it are taken up.
public struct IssueClosedHandler: WebhookEventHandler {
    public let name = "issue-closed"
    public let subscriptions = [EventSubscription("issues", actions: ["closed"])]
    public let github: GitHubConnection
    /// Takes up the tasks that waited for the closed issue.
    public let intake: TaskIntakeHandler

    public init(github: GitHubConnection, intake: TaskIntakeHandler) {
        self.github = github
        self.intake = intake
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard case .issues(let closed) = event, closed.issue.pullRequest == nil,
            let repository = RepositoryRef(fullName: closed.repository.fullName, installation: closed.installation?.id)
        else { return }
        let client = try await github.gitHub()
        let number = closed.issue.number

        var pulls: [PullRequestDetails] = []
        for pull in try await client.openPullRequests(in: repository) where TaskBranch.issue(in: pull.head.ref) == number {
            _ = try await client.updatePullRequest(pull.number, state: "closed", in: repository)
            try await client.deleteRef("heads/\(pull.head.ref)", in: repository)
            pulls.append(pull)
        }
        if !pulls.isEmpty {
            try await github.writeStatus(
                try github.comments.taskClosed(pullRequests: pulls.map(\.number), branches: pulls.map(\.head.ref)),
                issue: number,
                in: repository
            )
            context.logger.info("closed the issue's pull requests", metadata: ["issue": "\(number)", "pull_requests": "\(pulls.map(\.number))"])
        }

        for waiting in try await client.issues(labeled: [intake.parser.options.triggerLabel], in: repository) where waiting.number != number {
            guard let author = waiting.user,
                let task = intake.intake(
                    title: waiting.title,
                    body: waiting.body,
                    labels: waiting.labels.map(\.name),
                    author: author.login,
                    number: waiting.number
                )?.task,
                task.dependsOn.contains(number)
            else { continue }
            context.logger.info("taking up a task that waited for the closed issue", metadata: ["issue": "\(waiting.number)"])
            try await intake.takeUp(
                waiting.number,
                author: author,
                actor: author.login,
                in: closed.repository,
                installation: closed.installation?.id,
                context: context
            )
        }
    }
}
