import GafferCore
import GafferGitHub
import Logging

/// Reads the commands in a new comment. Each is checked against the
/// `AuthorizationPolicy` with the author's permission as GitHub reports it; it
/// answers `/help`, near misses ("did you mean /apply?"), commands written
/// wrongly and refusals (saying who may), all in one reply. A comment with
/// commands gets 👀 at once, then 🚀 when every command in it was answered, or
/// 😕 when one was refused or written wrongly. Bots' comments are never read.
/// The other commands (`/plan`, `/apply`, ...) are logged until their runners land.
public struct CommentCommandHandler: WebhookEventHandler {
    public let name = "comment-commands"
    public let subscriptions = [EventSubscription("issue_comment", actions: ["created"])]
    public let parser: CommandParser
    public let policy: AuthorizationPolicy
    public let github: GitHubConnection?

    public init(parser: CommandParser, policy: AuthorizationPolicy = AuthorizationPolicy(), github: GitHubConnection? = nil) {
        self.parser = parser
        self.policy = policy
        self.github = github
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

        var denials: [CommandName: String] = [:]
        let commands = items.compactMap { item -> Command? in if case .command(let command) = item { command } else { nil } }
        if !commands.isEmpty {
            let actor = try await github.actor(author.login, for: commands.map(\.name), policy: policy, in: repository)
            for command in commands {
                if case .denied(let reason) = policy.decide(command.name, actor: actor, requester: comment.issue.user.login) {
                    denials[command.name] = reason
                }
            }
        }
        if let reply = try github.comments.reply(to: items, botLogin: parser.botLogin, actor: author.login, denials: denials) {
            // One reply per comment, found again by its marker: a retried job edits it rather than adding another.
            try await github.writeStatus(reply, key: "reply-\(comment.comment.id)", issue: comment.issue.number, in: repository)
        }
        let refused = !denials.isEmpty || items.contains { if case .command = $0 { false } else { true } }
        let unanswered = commands.contains { $0.name != .help && denials[$0.name] == nil }
        if refused {
            await react("confused")
        } else if !unanswered {
            await react("rocket")
        }
    }
}
