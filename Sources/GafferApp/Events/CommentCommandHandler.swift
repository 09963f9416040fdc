import GafferCore
import GafferGitHub
import Logging

/// Reads the commands in a new comment. It answers `/help`, near misses
/// ("did you mean /apply?") and commands written wrongly, all in one reply;
/// the other commands are logged until their runners (`/plan`, `/apply`, ...)
/// and the authorization check land.
public struct CommentCommandHandler: WebhookEventHandler {
    public let name = "comment-commands"
    public let subscriptions = [EventSubscription("issue_comment", actions: ["created"])]
    public let parser: CommandParser
    public let github: GitHubConnection?

    public init(parser: CommandParser, github: GitHubConnection? = nil) {
        self.parser = parser
        self.github = github
    }

    public func commands(_ event: IssueCommentEvent) -> [CommentItem] {
        parser.parse(event.comment.body, author: event.comment.user.login)
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard case .issueComment(let comment) = event else { return }
        let items = commands(comment)
        guard !items.isEmpty else { return }
        context.logger.info(
            "commands read",
            metadata: [
                "repository": "\(comment.repository.fullName)", "issue": "\(comment.issue.number)",
                "comment": "\(comment.comment.id)", "author": "\(comment.comment.user.login)", "items": "\(items)",
            ]
        )
        guard let github, let repository = RepositoryRef(fullName: comment.repository.fullName, installation: comment.installation?.id),
            let reply = try github.comments.reply(to: items, botLogin: parser.botLogin)
        else { return }
        // One reply per comment, found again by its marker: a retried job edits it rather than adding another.
        try await github.writeStatus(reply, key: "reply-\(comment.comment.id)", issue: comment.issue.number, in: repository)
    }
}
