import GafferCore
import GafferGitHub
import GafferMessages
import GafferModels
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
    /// Who may have a task planned: the person who made Gaffer act needs what `/plan` needs.
    public let policy: AuthorizationPolicy
    /// Answers read-only tasks with a report; nil: Gaffer only says what it understood.
    public let reports: ReportWork?
    /// Reads an issue the parser cannot type with a model (`agent_models: intake=…`); nil: the problems are the answer.
    public let inference: IssueInference?

    public init(
        parser: IssueParser,
        github: GitHubConnection? = nil,
        publisher: TaskPublisher? = nil,
        policy: AuthorizationPolicy = AuthorizationPolicy(),
        reports: ReportWork? = nil,
        inference: IssueInference? = nil
    ) {
        self.parser = parser
        self.github = github
        self.publisher = publisher
        self.policy = policy
        self.reports = reports
        self.inference = inference
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
        // What a bot does (Gaffer's own edits included) never starts work.
        guard issues.sender.type != "Bot", !issues.sender.login.hasSuffix("[bot]") else { return }
        try await takeUp(
            issues.issue.number,
            author: issues.issue.user,
            actor: issues.sender.login,
            in: issues.repository,
            installation: issues.installation?.id,
            event: issues,
            context: context
        )
    }

    /// Reads the issue as it is now and answers it; a task that changes something is planned and published,
    /// when `actor` (who opened, edited or labelled it) may. `event` is what to read when Gaffer cannot ask
    /// GitHub (no credentials: it only logs).
    func takeUp(
        _ number: Int,
        author: GitHubUser,
        actor: String,
        in gitHubRepository: GitHubRepository,
        installation: Int64?,
        event: IssuesEvent? = nil,
        context: EventContext
    ) async throws {
        guard let publisher else {
            return try await answer(
                number,
                author: author,
                actor: actor,
                in: gitHubRepository,
                installation: installation,
                event: event,
                context: context
            )
        }
        // Work for one task runs one job at a time: an `opened` and a `labeled` delivered together plan once, then again.
        try await publisher.workspaces.exclusively("\(gitHubRepository.fullName)#\(number)") {
            try await answer(number, author: author, actor: actor, in: gitHubRepository, installation: installation, event: event, context: context)
        }
    }

    /// The issues that offer a security audit's fixes as pull requests: found again by their marker, or opened.
    private func offerFixes(
        _ report: Report,
        audit: Int,
        in repository: RepositoryRef,
        full: GitHubRepository
    ) async throws -> [(number: Int, title: String, author: GitHubUser?, created: Bool)] {
        guard report.kind == .securityAudit, let publisher, let reports, let github else { return [] }
        let offers = try await SecurityFixes(plans: publisher.coordinator.store, registry: reports.store)
            .offers(for: report, in: full.fullName, audit: audit)
        var fixes: [(number: Int, title: String, author: GitHubUser?, created: Bool)] = []
        for offer in offers {
            fixes.append(try await offerIssue(title: offer.title, body: offer.body, marker: offer.marker, in: repository, github: github))
        }
        return fixes
    }

    /// The open task issue that carries `marker`, found again so a change is offered once, or a new one.
    private func offerIssue(
        title: String,
        body: String,
        marker: String,
        in repository: RepositoryRef,
        github: GitHubConnection
    ) async throws -> (number: Int, title: String, author: GitHubUser?, created: Bool) {
        let client = try await github.gitHub()
        let open = try await client.issues(labeled: [parser.options.triggerLabel], in: repository)
        if let existing = open.first(where: { $0.body?.contains(marker) == true }) { return (existing.number, existing.title, existing.user, false) }
        let issue = try await client.createIssue(in: repository, title: title, body: body, labels: [parser.options.triggerLabel])
        return (issue.number, issue.title, issue.user, true)
    }

    /// Offers a change to a task as an issue of its own, and takes it up at once when it is new
    /// (Gaffer's own issues start no work through their webhooks): for `actor`, who asked for it.
    /// Returns the issue's number and whether it was opened now.
    func offerTask(
        title: String,
        body: String,
        marker: String,
        actor: String,
        in gitHubRepository: GitHubRepository,
        installation: Int64?,
        context: EventContext
    ) async throws -> (number: Int, created: Bool) {
        guard let github, let repository = RepositoryRef(fullName: gitHubRepository.fullName, installation: installation) else {
            throw ActionRefused(description: "Gaffer has no GitHub credentials to open an issue with")
        }
        let issue = try await offerIssue(title: title, body: body, marker: marker, in: repository, github: github)
        if issue.created, let author = issue.author {
            try await takeUp(issue.number, author: author, actor: actor, in: gitHubRepository, installation: installation, context: context)
        }
        return (issue.number, issue.created)
    }

    /// Takes the task up again for `/retry` (a plan that stopped, a pull request never opened). The caller
    /// holds the task's lock, as the comment handler does while it runs a task's commands.
    func retake(
        _ number: Int,
        author: GitHubUser,
        actor: String,
        in gitHubRepository: GitHubRepository,
        installation: Int64?,
        context: EventContext
    )
        async throws
    {
        try await answer(
            number,
            author: author,
            actor: actor,
            in: gitHubRepository,
            installation: installation,
            event: nil,
            confirming: true,
            context: context
        )
    }

    /// `/plan` on an issue whose status holds a model's reading: takes the task up as that reading states it.
    /// Returns false, changing nothing, when there is no reading to confirm. The caller holds the task's lock.
    func confirmInferred(
        _ number: Int,
        author: GitHubUser,
        actor: String,
        in gitHubRepository: GitHubRepository,
        installation: Int64?,
        context: EventContext
    ) async throws -> Bool {
        guard inference != nil, let github, let repository = RepositoryRef(fullName: gitHubRepository.fullName, installation: installation),
            try await github.readStatus(issue: number, in: repository).flatMap({ InferenceStep.form(in: $0.body) }) != nil
        else { return false }
        try await retake(number, author: author, actor: actor, in: gitHubRepository, installation: installation, context: context)
        return true
    }

    private func answer(
        _ number: Int,
        author: GitHubUser,
        actor: String,
        in gitHubRepository: GitHubRepository,
        installation: Int64?,
        event: IssuesEvent?,
        confirming: Bool = false,
        context: EventContext
    ) async throws {
        var metadata: Logger.Metadata = ["repository": "\(gitHubRepository.fullName)", "issue": "\(number)"]
        let repository = RepositoryRef(fullName: gitHubRepository.fullName, installation: installation)
        // A job may run after a newer event about the same issue (a retried `opened` after an `edited`):
        // it acts on the issue as it is now, and its answer carries the issue's time so an older one never
        // replaces a newer.
        var result = event.flatMap(intake)
        var version: String?
        var issue = event.map { IssueInput(title: $0.issue.title, body: $0.issue.body ?? "", labels: ($0.issue.labels ?? []).map(\.name)) }
        if let github, let repository {
            let current = try await github.issue(number, in: repository)
            guard current.state == "open" else { return }
            result = intake(title: current.title, body: current.body, labels: current.labels.map(\.name), author: author.login, number: number)
            version = current.updatedAt
            issue = IssueInput(title: current.title, body: current.body ?? "", labels: current.labels.map(\.name))
        }
        guard var result else {
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
        let person = try await github.actor(actor, for: [.plan], policy: policy, in: repository)
        let permission = person.permission
        if case .denied = policy.decide(.plan, actor: person, requester: nil) {
            let needed = policy.required[.plan] ?? .admin
            try await github.writeStatus(
                try github.comments.taskDenied(actor: actor, needs: needed.rawValue, has: permission.rawValue),
                version: version,
                issue: number,
                in: repository
            )
            context.logger.notice("issue not acted on: who asked may not plan", metadata: metadata.merging(["actor": "\(actor)"]) { $1 })
            return
        }
        var confirmedNote = ""
        // Fields the parser could not find at all (not a value it refused) are what a model may read from prose;
        // only for someone who may plan, since each reading costs money.
        if let inference, var issue, case .problems(let problems, let warnings) = result, problems.contains(where: { $0.value == nil }) {
            issue.author = author.login
            issue.number = number
            let reading = InferenceStep(
                inference: inference,
                github: github,
                repository: repository,
                fullName: gitHubRepository.fullName,
                number: number,
                version: version
            )
            guard let confirmed = try await reading.run(issue, problems: problems, warnings: warnings, confirming: confirming, logger: context.logger)
            else { return }
            result = confirmed.result
            confirmedNote = InferenceStep.confirmedNote(confirmed.form, issue: issue)
        }
        if let reports, case .task(let task, _) = result, task.kind.isReport {
            try await github.gitHub().react("eyes", toIssue: number, in: repository)
            try await github.writeStatus(try github.comments.issueParse(result) + confirmedNote, version: version, issue: number, in: repository)
            var task = task
            task.issue = number
            task.requester = author.login
            switch try await reports.run(task, repository: gitHubRepository.fullName) {
            case .report(let report, let summary, let id):
                let fixes = try await offerFixes(report, audit: number, in: repository, full: gitHubRepository)
                let files = GafferComments.ReportFiles(json: "reports/\(id).json", csv: "reports/\(id).csv", api: "GET /reports/\(id).json")
                let body = try github.comments.report(report, summary: summary, files: files, fixes: fixes.map { ($0.number, $0.title) })
                try await github.writeStatus(body, key: "report", version: version, issue: number, in: repository)
                context.logger.info("report written", metadata: metadata.merging(["report": "\(id)", "summary": "\(summary)"]) { $1 })
                // Gaffer's own issues start no work through their webhooks: each fix is taken up here, for the person who asked for the audit.
                for fix in fixes where fix.created {
                    try await takeUp(
                        fix.number,
                        author: fix.author ?? author,
                        actor: actor,
                        in: gitHubRepository,
                        installation: installation,
                        context: context
                    )
                }
            case .failed(let plan):
                try await github.writeStatus(try github.comments.planFailed(plan), key: "report", version: version, issue: number, in: repository)
                context.logger.notice("report failed", metadata: metadata.merging(["reasons": "\(plan.failureReasons)"]) { $1 })
            }
            return
        }
        guard let publisher, case .task(let task, _) = result, !task.kind.isReport else {
            try await github.writeStatus(try github.comments.issueParse(result), version: version, issue: number, in: repository)
            return
        }
        // Taken: 👀 at once, then what was understood while the agents work.
        try await github.gitHub().react("eyes", toIssue: number, in: repository)
        try await github.writeStatus(try github.comments.issueParse(result) + confirmedNote, version: version, issue: number, in: repository)
        _ = try await publisher.publish(
            task,
            from: TaskPublisher.Source(number: number, author: author, version: version, statusNote: confirmedNote),
            in: gitHubRepository,
            installation: installation,
            github: github,
            logger: context.logger
        )
    }
}
