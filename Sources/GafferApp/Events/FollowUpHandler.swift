import Foundation
import GafferAgents
import GafferCore
import GafferGitHub
import GafferMessages
import GafferModels
import Logging

/// A comment on a task's pull request that mentions Gaffer (`@gaffer make the bucket versioned`) and is not a command
/// becomes a change to the task, committed to the same branch. `key: value` lines are read as they are; other words
/// need the `review` model, which reads the whole conversation and proposes settings, a change to an application's
/// code, or a question. Either way the change goes into the follow-up block of the task's issue (the task's one
/// source) only when the parser accepts the issue with it, and the task is then planned again as after an edit:
/// the same pipeline, plan, approvals and locks. Only someone who may plan can change a task this way.
public struct FollowUpHandler: WebhookEventHandler {
    public let name = "follow-ups"
    public let subscriptions = [EventSubscription("issue_comment", actions: ["created"])]
    let commands: CommandParser
    let policy: AuthorizationPolicy
    let github: GitHubConnection
    let intake: TaskIntakeHandler
    let publisher: TaskPublisher
    /// Reads words that are not `key: value`; nil when no `review` model is configured.
    let reader: FollowUpReader?
    /// Whether an application's code may change (a deployment model is configured to write it).
    let codeAllowed: Bool

    public init(
        commands: CommandParser,
        policy: AuthorizationPolicy,
        github: GitHubConnection,
        intake: TaskIntakeHandler,
        publisher: TaskPublisher,
        reader: FollowUpReader?,
        codeAllowed: Bool
    ) {
        self.commands = commands
        self.policy = policy
        self.github = github
        self.intake = intake
        self.publisher = publisher
        self.reader = reader
        self.codeAllowed = codeAllowed
    }

    /// The comment's words for Gaffer when it mentions Gaffer and holds no command (a command line is the command's).
    func request(in comment: IssueCommentEvent) -> String? {
        let body = comment.comment.body
        guard comment.issue.pullRequest != nil, body.lowercased().contains(commands.mention),
            commands.parse(body, author: comment.comment.user.login).isEmpty
        else { return nil }
        // On the mention's own line only what follows it is for Gaffer: "Looks good. @gaffer versioning: true".
        return body.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard let found = line.range(of: commands.mention, options: .caseInsensitive) else { return String(line) }
            return String(line[found.upperBound...]).trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard case .issueComment(let comment) = event else { return }
        let author = comment.comment.user
        guard author.type != "Bot", !author.login.hasSuffix("[bot]"), let text = request(in: comment),
            let repository = RepositoryRef(fullName: comment.repository.fullName, installation: comment.installation?.id)
        else { return }
        let client = try await github.gitHub()
        let pull = try await client.pullRequest(comment.issue.number, in: repository)
        guard let issue = TaskBranch.issue(in: pull.head.ref) else {
            context.logger.debug("a mention on a pull request that is not Gaffer's", metadata: ["pull": "\(comment.issue.number)"])
            return
        }
        try? await client.react("eyes", toComment: comment.comment.id, in: repository)
        let changed = try await publisher.workspaces.exclusively("\(comment.repository.fullName)#\(issue)") {
            try await follow(text, comment: comment, issue: issue, repository: repository, client: client, context: context)
        }
        try? await client.react(changed ? "rocket" : "confused", toComment: comment.comment.id, in: repository)
    }

    /// Makes the change and replies; true when the task changed.
    private func follow(
        _ text: String,
        comment: IssueCommentEvent,
        issue: Int,
        repository: RepositoryRef,
        client: GitHubClient,
        context: EventContext
    ) async throws -> Bool {
        let actor = comment.comment.user.login
        let pullNumber = comment.issue.number
        var metadata: Logger.Metadata = [
            "repository": "\(comment.repository.fullName)", "issue": "\(issue)", "actor": "\(actor)", "comment": "\(comment.comment.id)",
        ]
        func refuse(_ reasons: [String]) async throws -> Bool {
            _ = try await client.createComment(
                onIssue: pullNumber,
                in: repository,
                body: try github.comments.followUpRefused(actor: actor, reasons: reasons)
            )
            context.logger.info("follow-up refused", metadata: metadata.merging(["reasons": "\(reasons)"]) { $1 })
            return false
        }
        let person = try await github.actor(actor, for: [.plan], policy: policy, in: repository)
        guard
            let target = try await TaskTarget.resolve(
                number: pullNumber,
                isPullRequest: true,
                repository: repository,
                gitHubRepository: comment.repository,
                client: client,
                parser: intake.parser
            )
        else { return false }
        if case .denied(let reason) = policy.decide(.plan, actor: person, requester: target.requester) {
            return try await refuse(["only someone who may plan can change the task: \(MarkdownText.plain(reason))"])
        }
        guard target.issueOpen, target.openPullRequest != nil else {
            return try await refuse(["the task's issue or this pull request is closed"])
        }
        guard let task = target.task, let requester = target.requesterUser else {
            return try await refuse(["the task's issue does not read as a task now; fix it first (its status says what is wrong)"])
        }

        var changes = FollowUpBlock.fields(inComment: text).map { FollowUpChange(key: $0.key, value: $0.value) }
        var model: String?
        if changes.isEmpty {
            guard let reader else {
                return try await refuse([
                    "Gaffer reads a follow-up as `key: value` lines (such as `\(commands.mention) versioning: true`); "
                        + "for other words, the operator sets `agent_models: review=PROVIDER/MODEL`"
                ])
            }
            model = "\(reader.model.provider.name)/\(reader.model.model)"
            let conversation = try await client.comments(onIssue: pullNumber, in: repository)
                .filter { $0.id <= comment.comment.id }
                .map { FollowUpReader.Comment(author: $0.user?.login ?? "someone", body: $0.body ?? "") }
            let current = task.parameters.keys.sorted().map { "\($0): \(task.parameters[$0]?.description ?? "")" }
            let header = ["task: \(task.kind.rawValue)", "resource: \(task.resource?.name ?? "")", "name: \(task.resourceName ?? "")"]
            let reading: FollowUpReader.Reading
            do {
                reading = try await reader.read(
                    conversation,
                    task: (header + current).joined(separator: "\n"),
                    codeAllowed: codeAllowed && task.resource?.applicationKind != nil,
                    repository: comment.repository.fullName,
                    issue: issue
                )
            } catch let refusal as ModelBudgetExceeded {
                return try await refuse([MarkdownText.plain(refusal.description)])
            } catch let error as ModelError {
                return try await refuse([
                    "the model could not read the conversation (\(MarkdownText.plain(error.description))); write the change as `key: value`"
                ])
            }
            metadata["model"] = "\(model ?? "")"
            switch reading {
            case .settings(let proposed): changes = proposed
            case .code(let change):
                // The code loop carries on from the branch with the behaviour asked for so far and this change.
                let earlier = task.parameters[PlanRules.behaviourKey]?.stringValue.map { $0 + "\n\n" } ?? ""
                changes = [FollowUpChange(key: PlanRules.behaviourKey, value: earlier + "Asked for on the pull request by \(actor): \(change)")]
            case .unclear(let question):
                let mention = commands.mention
                _ = try await client.createComment(
                    onIssue: pullNumber,
                    in: repository,
                    body: try github.comments.followUpQuestion(question: question, model: model ?? "", mention: mention)
                )
                context.logger.info("follow-up unclear", metadata: metadata)
                return false
            }
        }

        let identity = FollowUpBlock.identityKeys(among: changes.map(\.key))
        if !identity.isEmpty {
            return try await refuse(
                identity.map { "`\(MarkdownText.plain($0))` says what the task is, not how: edit the issue to ask for a different task" }
            )
        }
        let current = try await client.issue(issue, in: repository)
        let body = FollowUpBlock.applying(changes.map { ($0.key, $0.value) }, to: current.body ?? "")
        let labels = current.labels.map(\.name)
        let parsed = intake.parser.parse(IssueInput(title: current.title, body: body, labels: labels, author: requester.login, number: issue))
        guard case .task(let changed, _) = parsed else {
            return try await refuse(parsed.problems.map { MarkdownText.plain($0.description) })
        }
        let rows = changes.compactMap { change -> GafferComments.FollowUpRow? in
            let key =
                (Array(changed.parameters.keys) + Array(task.parameters.keys)).first { FieldName.normalize($0) == FieldName.normalize(change.key) }
                ?? change.key
            let after = changed.parameters[key]?.description ?? change.value
            return task.parameters[key]?.description == after
                ? nil : GafferComments.FollowUpRow(key: key, before: task.parameters[key]?.description, after: after)
        }
        guard !rows.isEmpty else {
            return try await refuse(["the task already has \(changes.map { "`\(MarkdownText.plain($0.key))`" }.joined(separator: ", ")) as asked"])
        }
        let before = target.pullRequest?.head.sha
        _ = try await client.updateIssue(issue, in: repository, body: body)
        // Gaffer's own edit starts no work through its webhook: the task is planned again here, as `/retry` would.
        try await intake.retake(
            issue,
            author: requester,
            actor: actor,
            in: comment.repository,
            installation: comment.installation?.id,
            context: context
        )
        let after = try await client.pullRequest(pullNumber, in: repository).head.sha
        _ = try await client.createComment(
            onIssue: pullNumber,
            in: repository,
            body: try github.comments.followUpApplied(
                actor: actor,
                rows: rows,
                issue: issue,
                branch: TaskBranch.name(issue: issue, task: changed),
                commit: after != before ? after : nil,
                model: model
            )
        )
        context.logger.info("follow-up applied", metadata: metadata.merging(["changes": "\(rows.map { $0.key })"]) { $1 })
        return true
    }
}
