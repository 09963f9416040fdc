import GafferGitHub
import Logging

/// A handler that logs what it was given, and is named `<event>-log` for it: a job's
/// `handled_by` must not claim work that was not done. It holds the place of each
/// real handler (PR cleanup, installations, check runs) until that lands, so the
/// routing of every event can be seen and tested now.
public struct LoggingEventHandler: WebhookEventHandler {
    public let name: String
    public let subscriptions: [EventSubscription]

    public init(name: String, subscriptions: [EventSubscription]) {
        self.name = name
        self.subscriptions = subscriptions
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        var metadata: Logger.Metadata = ["handler": "\(name)", "event": "\(event.name)", "action": "\(event.action ?? "-")"]
        switch event {
        case .issues(let issues):
            metadata["repository"] = "\(issues.repository.fullName)"
            metadata["issue"] = "\(issues.issue.number)"
        case .issueComment(let comment):
            metadata["repository"] = "\(comment.repository.fullName)"
            metadata["issue"] = "\(comment.issue.number)"
            metadata["comment"] = "\(comment.comment.id)"
        case .pullRequest(let pull):
            metadata["repository"] = "\(pull.repository.fullName)"
            metadata["pull_request"] = "\(pull.number)"
        case .pullRequestReviewComment(let review):
            metadata["repository"] = "\(review.repository.fullName)"
            metadata["pull_request"] = "\(review.pullRequest.number)"
            metadata["comment"] = "\(review.comment.id)"
        case .installation(let installation):
            metadata["installation"] = "\(installation.installation.id)"
        case .checkRun(let check):
            metadata["repository"] = "\(check.repository.fullName)"
            metadata["check_run"] = "\(check.checkRun.id)"
        case .ping, .other:
            break
        }
        context.logger.info("event received", metadata: metadata)
    }
}
