import GafferCore
import GafferGitHub
import Logging

/// Reads the commands in a new comment. For now it logs them; the command
/// runners (`/plan`, `/apply`, ...) and the authorization check come with the
/// GitHub client, which can ask for the author's permission.
public struct CommentCommandHandler: WebhookEventHandler {
    public let name = "comment-commands"
    public let subscriptions = [EventSubscription("issue_comment", actions: ["created"])]
    public let parser: CommandParser

    public init(parser: CommandParser) {
        self.parser = parser
    }

    public func commands(_ event: IssueCommentEvent) -> [CommentItem] {
        parser.parse(event.comment.body, author: event.comment.user.login)
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard case .issueComment(let comment) = event else { return }
        let items = commands(comment)
        guard !items.isEmpty else { return }
        context.logger.info("commands read", metadata: [
            "repository": "\(comment.repository.fullName)", "issue": "\(comment.issue.number)",
            "comment": "\(comment.comment.id)", "author": "\(comment.comment.user.login)", "items": "\(items)",
        ])
    }
}
