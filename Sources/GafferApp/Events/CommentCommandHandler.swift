import GafferCore
import GafferGitHub
import Logging

/// Reads the commands in a new comment. Each is checked against the
/// `AuthorizationPolicy` with the author's permission as GitHub reports it; it
/// answers `/help`, near misses ("did you mean /apply?"), commands written
/// wrongly and refusals (saying who may), all in one reply. A comment with
/// commands gets 👀 at once, then 🚀 when every command in it was answered, or
/// 😕 when one was refused or written wrongly. Bots' comments are never read.
/// The allowed commands run in order, through their runners, one task's commands at a time.
public struct CommentCommandHandler: WebhookEventHandler {
    public let name = "comment-commands"
    public let subscriptions = [EventSubscription("issue_comment", actions: ["created"])]
    public let parser: CommandParser
    public let policy: AuthorizationPolicy
    public let github: GitHubConnection?
    /// Plans and applies; without them, only `/help` and refusals are answered.
    public let work: ChangeWork?
    public let runners: CommandRunners
    /// Plans a task again for `/retry` when its plan stopped before a pull request.
    public let intake: TaskIntakeHandler?

    public init(
        parser: CommandParser,
        policy: AuthorizationPolicy = AuthorizationPolicy(),
        github: GitHubConnection? = nil,
        work: ChangeWork? = nil,
        runners: CommandRunners,
        intake: TaskIntakeHandler? = nil
    ) {
        self.parser = parser
        self.policy = policy
        self.github = github
        self.work = work
        self.runners = runners
        self.intake = intake
    }

    public func commands(_ event: IssueCommentEvent) -> [CommentItem] {
        parser.parse(event.comment.body, author: event.comment.user.login)
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard case .issueComment(let comment) = event else { return }
        let author = comment.comment.user
        // A bot's comment (Gaffer's own included) is never a command: two bots must not talk forever.
        guard author.type != "Bot", !author.login.hasSuffix("[bot]") else { return }
        let items = commands(comment)
        guard !items.isEmpty else { return }
        context.logger.info(
            "commands read",
            metadata: [
                "repository": "\(comment.repository.fullName)", "issue": "\(comment.issue.number)",
                "comment": "\(comment.comment.id)", "author": "\(author.login)", "items": "\(items)",
            ]
        )
        guard let github, let repository = RepositoryRef(fullName: comment.repository.fullName, installation: comment.installation?.id) else {
            return
        }
        let client = try await github.gitHub()
        // Reactions acknowledge; one that cannot be made (the comment was deleted) must not stop the answer.
        func react(_ content: String) async {
            do {
                try await client.react(content, toComment: comment.comment.id, in: repository)
            } catch {
                context.logger.warning("could not react to the comment", metadata: ["reaction": "\(content)", "error": "\(error)"])
            }
        }
        await react("eyes")

        let commands = items.compactMap { item -> Command? in if case .command(let command) = item { command } else { nil } }
        let runs = commands.contains { $0.name != .help }
        func answer(_ target: TaskTarget?) async throws -> Bool {
            try await self.answer(
                items,
                commands: commands,
                comment: comment,
                target: target,
                repository: repository,
                github: github,
                client: client,
                context: context
            )
        }
        // The task's issue: the comment's own, or the one a Gaffer branch's pull request is for (nil for another pull request).
        let issue: Int? =
            if work != nil, runs {
                comment.issue.pullRequest == nil
                    ? comment.issue.number : TaskBranch.issue(in: try await client.pullRequest(comment.issue.number, in: repository).head.ref)
            } else {
                nil
            }
        let refusedByRunner: Bool
        if let work, let issue {
            // Commands for one task run one job at a time, in the order they were written, as its intake does; the
            // task is read once the lock is held, so an earlier command's merge or push is seen.
            refusedByRunner = try await work.workspaces.exclusively("\(comment.repository.fullName)#\(issue)") {
                let target = try await TaskTarget.resolve(
                    number: comment.issue.number,
                    isPullRequest: comment.issue.pullRequest != nil,
                    repository: repository,
                    gitHubRepository: comment.repository,
                    client: client,
                    parser: work.parser
                )
                return try await answer(target)
            }
        } else {
            refusedByRunner = try await answer(nil)
        }
        let unanswered = commands.contains { $0.name != .help } && work == nil
        if refusedByRunner || items.contains(where: { if case .command = $0 { false } else { true } }) {
            await react("confused")
        } else if !unanswered {
            await react("rocket")
        }
    }

    /// Decides, runs and replies; true when something was refused.
    private func answer(
        _ items: [CommentItem],
        commands: [Command],
        comment: IssueCommentEvent,
        target: TaskTarget?,
        repository: RepositoryRef,
        github: GitHubConnection,
        client: GitHubClient,
        context: EventContext
    ) async throws -> Bool {
        let author = comment.comment.user
        // On a pull request the requester is the task's issue author, not the pull request's (Gaffer).
        let requester = target?.requester ?? comment.issue.user.login
        var denials: [CommandName: String] = [:]
        var answers: [Int: String] = [:]
        var refused = false
        var stopped: (any Error)?
        if !commands.isEmpty {
            let actor = try await github.actor(author.login, for: commands.map(\.name), policy: policy, in: repository)
            for command in commands {
                if case .denied(let reason) = policy.decide(command.name, actor: actor, requester: requester) {
                    denials[command.name] = reason
                    refused = true
                }
            }
            for command in commands where denials[command.name] == nil && command.name != .help {
                guard let work else { continue }
                guard let target else {
                    answers[command.line] = try github.comments.note(
                        .unavailable(
                            "this pull request is not one of Gaffer's: commands work on a task's issue and on the pull request Gaffer opened for it."
                        ),
                        actor: author.login
                    )
                    refused = true
                    continue
                }
                // What changes AWS waits for the resume: applies, deletions, and a savings proposal's action.
                let changesAWS =
                    [.apply, .destroy].contains(command.name)
                    || (command.name == .approve && SavingsProposalApproval.isProposalID(command.arguments.first ?? ""))
                if changesAWS, let stop = work.emergencyStop {
                    try await stop.refresh()
                    if let pause = stop.current {
                        answers[command.line] = try github.comments.note(
                            .paused(command: command.name, by: pause.by, at: pause.at, reason: pause.reason),
                            actor: author.login
                        )
                        refused = true
                        continue
                    }
                }
                var runContext = CommandContext(
                    command: command,
                    commentedOn: comment.issue.number,
                    actor: actor,
                    target: target,
                    github: github,
                    client: client,
                    work: work,
                    policy: policy,
                    logger: context.logger
                )
                if let intake {
                    let (repository, installation) = (comment.repository, comment.installation?.id)
                    runContext.reports = intake.reports
                    runContext.offerTask = { title, body, marker in
                        try await intake.offerTask(
                            title: title,
                            body: body,
                            marker: marker,
                            actor: author.login,
                            in: repository,
                            installation: installation,
                            context: context
                        )
                    }
                }
                if let intake, let requester = target.requesterUser {
                    let (issue, repository, installation) = (target.issue, comment.repository, comment.installation?.id)
                    runContext.retakeTask = {
                        try await intake.retake(
                            issue,
                            author: requester,
                            actor: author.login,
                            in: repository,
                            installation: installation,
                            context: context
                        )
                    }
                    runContext.confirmInferredTask = {
                        try await intake.confirmInferred(
                            issue,
                            author: requester,
                            actor: author.login,
                            in: repository,
                            installation: installation,
                            context: context
                        )
                    }
                }
                let outcome: CommandOutcome
                do {
                    outcome = try await runners.runner(command.name).run(runContext)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // Said where the person looks, then thrown so the job is tried again (which edits this reply);
                    // the commands after it wait for that, to keep their order.
                    answers[command.line] = try github.comments.note(.failed(command: command.name, error: "\(error)"), actor: author.login)
                    stopped = error
                    break
                }
                if let text = outcome.text { answers[command.line] = text }
                refused = refused || outcome.refused
                context.logger.info("command run", metadata: ["command": "\(command.name.rawValue)", "refused": "\(outcome.refused)"])
            }
        }
        if let reply = try github.comments.reply(to: items, botLogin: parser.botLogin, actor: author.login, denials: denials, answers: answers) {
            // One reply per comment, found again by its marker: a retried job edits it rather than adding another.
            try await github.writeStatus(reply, key: "reply-\(comment.comment.id)", issue: comment.issue.number, in: repository)
        }
        if let stopped { throw stopped }
        return refused
    }
}
