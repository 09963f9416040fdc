import GafferCore
import GafferGitHub
import Logging

/// Reads an issue addressed to Gaffer (it has the trigger label) into an
/// `AwsTask`, or the problems that stop it, and says which in the issue's
/// status comment. A task that changes something is then planned and
/// published as a pull request (`TaskPublisher`), when Gaffer can push.
public struct TaskIntakeHandler: WebhookEventHandler {
    public let name = "task-intake"
    public let subscriptions = [EventSubscription("issues", actions: ["opened", "edited", "labeled", "reopened"])]
    public let parser: IssueParser
    /// Where the answer is written; nil: it is only logged.
    public let github: GitHubConnection?
    /// Plans and publishes tasks that change something; nil: Gaffer only says what it understood.
    public let publisher: TaskPublisher?

    public init(parser: IssueParser, github: GitHubConnection? = nil, publisher: TaskPublisher? = nil) {
        self.parser = parser
        self.github = github
        self.publisher = publisher
    }

    /// The parse of the issue, or nil when the issue is not for Gaffer.
    public func intake(_ event: IssuesEvent) -> IssueParseResult? {
        let issue = event.issue
        guard issue.pullRequest == nil else { return nil }
        return intake(title: issue.title, body: issue.body, labels: (issue.labels ?? []).map(\.name), author: issue.user.login, number: issue.number)
    }

    func intake(title: String, body: String?, labels: [String], author: String?, number: Int) -> IssueParseResult? {
        guard parser.isAddressedToGaffer(labels: labels) else { return nil }
        return parser.parse(IssueInput(title: title, body: body ?? "", labels: labels, author: author, number: number))
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard case .issues(let issues) = event, issues.issue.pullRequest == nil else { return }
        var metadata: Logger.Metadata = ["repository": "\(issues.repository.fullName)", "issue": "\(issues.issue.number)"]
        let repository = RepositoryRef(fullName: issues.repository.fullName, installation: issues.installation?.id)
        // A job may run after a newer event about the same issue (a retried `opened` after an `edited`):
        // it acts on the issue as it is now, and its answer carries the issue's time so an older one never
        // replaces a newer.
        var result = intake(issues)
        var version: String?
        if let github, let repository {
            let current = try await github.issue(issues.issue.number, in: repository)
            result = intake(
                title: current.title,
                body: current.body,
                labels: current.labels.map(\.name),
                author: issues.issue.user.login,
                number: current.number
            )
            version = current.updatedAt
        }
        guard let result else {
            context.logger.debug("issue not addressed to gaffer", metadata: metadata)
            return
        }
        if !result.warnings.isEmpty { metadata["warnings"] = "\(result.warnings.map(\.description))" }
        switch result {
        case .task(let task, _):
            metadata["kind"] = "\(task.kind.rawValue)"
            metadata["resource"] = "\(task.resource?.name ?? "all")"
            metadata["name"] = "\(task.resourceName ?? "-")"
            metadata["region"] = "\(task.region ?? "-")"
            context.logger.info("task understood", metadata: metadata)
        case .problems(let problems, _):
            metadata["problems"] = "\(problems.map(\.description))"
            context.logger.info("issue has problems", metadata: metadata)
        }
        guard let github, let repository else { return }
        guard let publisher, case .task(let task, _) = result, !task.kind.isReport else {
            try await github.writeStatus(try github.comments.issueParse(result), version: version, issue: issues.issue.number, in: repository)
            return
        }
        // Taken: 👀 at once, then what was understood while the agents work.
        try await github.gitHub().react("eyes", toIssue: issues.issue.number, in: repository)
        try await github.writeStatus(try github.comments.issueParse(result), version: version, issue: issues.issue.number, in: repository)
        let source = TaskPublisher.Source(number: issues.issue.number, author: issues.issue.user, version: version)
        _ = try await publisher.publish(
            task,
            from: source,
            in: issues.repository,
            installation: issues.installation?.id,
            github: github,
            logger: context.logger
        )
    }
}
