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
    public let subscriptions = [
        EventSubscription("issue_comment", actions: ["created"]), EventSubscription("pull_request_review_comment", actions: ["created"]),
    ]
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

    /// A comment that mentions Gaffer on a pull request: in its conversation, or on a line of its diff.
    struct Mention {
        var id: Int64
        var author: GitHubUser
        var body: String
        var pull: Int
        var repository: GitHubRepository
        var installation: Int64?
        /// For a comment on the diff: its thread's first comment, and the line it is on.
        var thread: (root: Int64, path: String, line: Int?)?
    }

    static func mention(in event: WebhookEvent) -> Mention? {
        switch event {
        case .issueComment(let comment) where comment.issue.pullRequest != nil:
            Mention(
                id: comment.comment.id,
                author: comment.comment.user,
                body: comment.comment.body,
                pull: comment.issue.number,
                repository: comment.repository,
                installation: comment.installation?.id
            )
        case .pullRequestReviewComment(let review):
            Mention(
                id: review.comment.id,
                author: review.comment.user,
                body: review.comment.body,
                pull: review.pullRequest.number,
                repository: review.repository,
                installation: review.installation?.id,
                thread: (review.comment.inReplyToID ?? review.comment.id, review.comment.path, review.comment.line)
            )
        default: nil
        }
    }

    /// The comment's words for Gaffer when it mentions Gaffer and holds no command (a command line is the command's).
    func request(in body: String, author: String) -> String? {
        guard body.lowercased().contains(commands.mention), commands.parse(body, author: author).isEmpty else { return nil }
        // On the mention's own line only what follows it is for Gaffer: "Looks good. @gaffer versioning: true".
        return body.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard let found = line.range(of: commands.mention, options: .caseInsensitive) else { return String(line) }
            return String(line[found.upperBound...]).trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard let mention = Self.mention(in: event), mention.author.type != "Bot", !mention.author.login.hasSuffix("[bot]"),
            let text = request(in: mention.body, author: mention.author.login),
            let repository = RepositoryRef(fullName: mention.repository.fullName, installation: mention.installation)
        else { return }
        let client = try await github.gitHub()
        let pull = try await client.pullRequest(mention.pull, in: repository)
        guard let issue = TaskBranch.issue(in: pull.head.ref) else {
            context.logger.debug("a mention on a pull request that is not Gaffer's", metadata: ["pull": "\(mention.pull)"])
            return
        }
        // Reactions acknowledge a conversation comment; a comment on the diff gets the reply in its thread alone.
        let reactions = mention.thread == nil
        if reactions { try? await client.react("eyes", toComment: mention.id, in: repository) }
        let changed = try await publisher.workspaces.exclusively("\(mention.repository.fullName)#\(issue)") {
            try await follow(text, mention: mention, issue: issue, repository: repository, client: client, context: context)
        }
        if reactions { try? await client.react(changed ? "rocket" : "confused", toComment: mention.id, in: repository) }
    }

    /// The conversation the comment belongs to, oldest first: a diff comment's thread (its first comment says which
    /// line it is on), or the pull request's conversation. Read once: it also holds Gaffer's earlier answers.
    private func conversation(
        _ mention: Mention,
        repository: RepositoryRef,
        client: GitHubClient
    ) async throws -> [(
        id: Int64, comment: FollowUpReader.Comment
    )] {
        guard let thread = mention.thread else {
            return try await client.comments(onIssue: mention.pull, in: repository)
                .map { ($0.id, FollowUpReader.Comment(author: $0.user?.login ?? "someone", body: $0.body ?? "")) }
        }
        let place = "(on \(thread.path)\(thread.line.map { " line \($0)" } ?? ""))\n"
        return try await client.reviewComments(onPull: mention.pull, in: repository)
            .filter { $0.id == thread.root || $0.inReplyToID == thread.root }
            .map { ($0.id, FollowUpReader.Comment(author: $0.user?.login ?? "someone", body: ($0.id == thread.root ? place : "") + $0.body)) }
    }

    /// Makes the change and replies; true when the task changed.
    private func follow(
        _ text: String,
        mention: Mention,
        issue: Int,
        repository: RepositoryRef,
        client: GitHubClient,
        context: EventContext
    ) async throws -> Bool {
        let actor = mention.author.login
        let pullNumber = mention.pull
        var metadata: Logger.Metadata = [
            "repository": "\(mention.repository.fullName)", "issue": "\(issue)", "actor": "\(actor)", "comment": "\(mention.id)",
        ]
        // A comment is answered once: a redelivered event, or a job run again after a crash, finds the answer.
        let answered = "<!-- gaffer:follow-up \(mention.id) -->"
        let conversation = try await conversation(mention, repository: repository, client: client)
        if conversation.contains(where: { $0.comment.body.contains(answered) }) {
            context.logger.info("follow-up already answered", metadata: metadata)
            return false
        }
        // The answer goes where the question was: the diff comment's thread, or the conversation.
        func reply(_ text: String) async throws {
            let body = text + "\n" + answered + "\n"
            if let thread = mention.thread {
                _ = try await client.replyToReviewComment(thread.root, onPull: pullNumber, in: repository, body: body)
            } else {
                _ = try await client.createComment(onIssue: pullNumber, in: repository, body: body)
            }
        }
        func refuse(_ reasons: [String]) async throws -> Bool {
            try await reply(try github.comments.followUpRefused(actor: actor, reasons: reasons))
            context.logger.info("follow-up refused", metadata: metadata.merging(["reasons": "\(reasons)"]) { $1 })
            return false
        }
        let person = try await github.actor(actor, for: [.plan], policy: policy, in: repository)
        guard
            let target = try await TaskTarget.resolve(
                number: pullNumber,
                isPullRequest: true,
                repository: repository,
                gitHubRepository: mention.repository,
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
            let current = task.parameters.keys.sorted().map { "\($0): \(task.parameters[$0]?.description ?? "")" }
            let header = ["task: \(task.kind.rawValue)", "resource: \(task.resource?.name ?? "")", "name: \(task.resourceName ?? "")"]
            let reading: FollowUpReader.Reading
            do {
                reading = try await reader.read(
                    conversation.filter { $0.id <= mention.id }.map(\.comment),
                    task: (header + current).joined(separator: "\n"),
                    codeAllowed: codeAllowed && task.resource?.applicationKind != nil,
                    repository: mention.repository.fullName,
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
                try await reply(try github.comments.followUpQuestion(question: question, model: model ?? "", mention: commands.mention))
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
            in: mention.repository,
            installation: mention.installation,
            context: context
        )
        let after = try await client.pullRequest(pullNumber, in: repository).head.sha
        try await reply(
            try github.comments.followUpApplied(
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
