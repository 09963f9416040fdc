import Foundation
import GafferCore

/// How each kept thing reads in the knowledge base, the same from either back end.
extension KnowledgeEntry {
    init(_ decision: Decision) {
        let verb = decision.verdict == .approve ? "approved" : "denied"
        self.init(
            kind: .decision,
            at: decision.at,
            repository: decision.repository,
            reference: "#\(decision.pullRequest)",
            summary: "\(decision.by) \(verb) \(decision.subject ?? "plan \(decision.planID.prefix(8))")" + (decision.reason.map { ": \($0)" } ?? "")
        )
    }

    init(_ deployment: Deployment) {
        let seconds = Int(deployment.endedAt.timeIntervalSince(deployment.startedAt).rounded())
        self.init(
            kind: .deployment,
            at: deployment.endedAt,
            repository: deployment.repository,
            reference: "#\(deployment.pullRequest)",
            summary: "\(deployment.stack.name) in \(deployment.stack.account)/\(deployment.stack.region): \(deployment.status)"
                + " (\(deployment.succeeded ? "succeeded" : "failed"), \(seconds) s, by \(deployment.by))"
        )
    }

    init(gapOf agent: String, asked: String, lacking: String, repository: String?, issue: Int?, at: Date) {
        self.init(
            kind: .gap,
            at: at,
            repository: repository ?? "",
            reference: issue.map { "#\($0)" } ?? "-",
            summary: "the \(agent) agent cannot \(asked) yet: \(lacking)"
        )
    }

    init(_ message: AgentMessage, repository: String?, issue: Int?) {
        let to = message.recipient.map { " to \($0.rawValue)" } ?? ""
        self.init(
            kind: .message,
            at: message.at,
            repository: repository ?? "",
            reference: issue.map { "#\($0)" } ?? "-",
            summary: "\(message.sender.rawValue)\(to) (\(message.intent.rawValue)): \(message.content)"
        )
    }

    init(_ learning: Learning) {
        self.init(
            kind: .learning,
            at: learning.fixedAt ?? learning.failedAt,
            repository: learning.repository,
            reference: "#\(learning.issue)",
            summary: learning.lesson
        )
    }

    /// Newest first, those that contain `text` (any case) when given, at most `limit`.
    static func found(_ entries: [KnowledgeEntry], matching text: String?, limit: Int) -> [KnowledgeEntry] {
        var entries = entries
        if let text, !text.isEmpty {
            entries = entries.filter { "\($0.repository) \($0.reference) \($0.summary)".localizedCaseInsensitiveContains(text) }
        }
        return Array(entries.sorted { $0.at > $1.at }.prefix(limit))
    }
}
