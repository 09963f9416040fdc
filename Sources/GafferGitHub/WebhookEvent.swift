import Foundation

/// A webhook delivery decoded by its `X-GitHub-Event` name.
public enum WebhookEvent: Sendable, Equatable {
    case issues(IssuesEvent)
    case issueComment(IssueCommentEvent)
    case pullRequest(PullRequestEvent)
    case pullRequestReviewComment(PullRequestReviewCommentEvent)
    case ping(PingEvent)
    case installation(InstallationEvent)
    case checkRun(CheckRunEvent)
    /// An event Gaffer has no model for; kept by name.
    case other(name: String, action: String?)

    /// The event names Gaffer has models for.
    public static let modelledEvents: Set<String> = [
        "issues", "issue_comment", "pull_request", "pull_request_review_comment", "ping", "installation", "check_run",
    ]

    public var name: String {
        switch self {
        case .issues: "issues"
        case .issueComment: "issue_comment"
        case .pullRequest: "pull_request"
        case .pullRequestReviewComment: "pull_request_review_comment"
        case .ping: "ping"
        case .installation: "installation"
        case .checkRun: "check_run"
        case .other(let name, _): name
        }
    }

    public var action: String? {
        switch self {
        case .issues(let event): event.action
        case .issueComment(let event): event.action
        case .pullRequest(let event): event.action
        case .pullRequestReviewComment(let event): event.action
        case .ping: nil
        case .installation(let event): event.action
        case .checkRun(let event): event.action
        case .other(_, let action): action
        }
    }

    /// Why a body could not be read as its event.
    public struct DecodingFailure: Error, CustomStringConvertible {
        public var event: String
        public var reason: String
        public var description: String { "the \(event) payload does not have the expected shape: \(reason)" }
    }

    /// Decodes `body` as the event `name` names.
    public static func decode(name: String, body: Data) throws(DecodingFailure) -> WebhookEvent {
        let decoder = JSONDecoder()
        do {
            switch name {
            case "issues": return .issues(try decoder.decode(IssuesEvent.self, from: body))
            case "issue_comment": return .issueComment(try decoder.decode(IssueCommentEvent.self, from: body))
            case "pull_request": return .pullRequest(try decoder.decode(PullRequestEvent.self, from: body))
            case "pull_request_review_comment":
                return .pullRequestReviewComment(try decoder.decode(PullRequestReviewCommentEvent.self, from: body))
            case "ping": return .ping(try decoder.decode(PingEvent.self, from: body))
            case "installation": return .installation(try decoder.decode(InstallationEvent.self, from: body))
            case "check_run": return .checkRun(try decoder.decode(CheckRunEvent.self, from: body))
            default:
                return .other(name: name, action: try WebhookPayload.action(in: body))
            }
        } catch let error as DecodingError {
            throw DecodingFailure(event: name, reason: Self.explain(error))
        } catch {
            throw DecodingFailure(event: name, reason: "\(error)")
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(key.stringValue) at \(path(context))"
        case .valueNotFound(_, let context): return "null at \(path(context))"
        case .typeMismatch(let type, let context): return "expected \(type) at \(path(context))"
        case .dataCorrupted(let context): return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}
