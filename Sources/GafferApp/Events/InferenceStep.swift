import Crypto
import Foundation
import GafferCore
import GafferGitHub
import GafferMessages
import GafferModels
import Logging

/// The model's part of intake, for an issue the parser could not type: reads it once per version of the issue
/// and writes what it read as the status, or, for `/plan`, takes up the reading the status holds.
struct InferenceStep {
    let inference: IssueInference
    let github: GitHubConnection
    let repository: RepositoryRef
    /// `owner/name`, as the budget and the cost records know the task.
    let fullName: String
    let number: Int
    /// The issue's `updated_at`: a reading is made once for each.
    let version: String?

    /// The task to take up (a reading confirmed) and the form it was read from, or nil when the status comment
    /// written here is the answer. `confirming` (`/plan`, `/retry`) takes up the reading the status holds, if any.
    func run(
        _ issue: IssueInput,
        problems: [IssueProblem],
        warnings: [IssueWarning],
        confirming: Bool,
        logger: Logger
    ) async throws
        -> (result: IssueParseResult, form: String)?
    {
        let comments = github.comments
        let status = try await github.readStatus(issue: number, in: repository)
        if confirming, let form = status.flatMap({ Self.form(in: $0.body) }) {
            // Checked again: the rules may have changed since, and the comment is only text.
            let confirmed = inference.parser.parse(IssueInput(title: "", body: form, labels: issue.labels, author: issue.author, number: number))
            if case .task = confirmed { return (confirmed, form) }
            try await github.writeStatus(try comments.issueParse(confirmed), version: version, issue: number, in: repository)
            return nil
        }
        // A redelivery, or `opened` and `labeled` together: this text was read already, and a reading costs money.
        let mark = Self.readingMark(issue)
        if let status, status.body.contains(mark) { return nil }
        let model = "\(inference.model.provider.name)/\(inference.model.model)"
        var metadata: Logger.Metadata = ["repository": "\(fullName)", "issue": "\(number)", "model": "\(model)"]
        var body: String
        // Only a reading is marked: a call the budget refused, or that failed, is made again by the next event or `/retry`.
        var read = true
        do {
            switch try await inference.infer(issue, repository: fullName) {
            case .inferred(let task, let fields, let form):
                body = try comments.taskInferred(task, fields: fields, form: form, model: model)
                metadata["outcome"] = "inferred"
            case .unclear(let questions):
                body = try comments.taskNotInferred(problems: [], questions: questions, model: model)
                metadata["outcome"] = "unclear"
            case .refused(let refused, _):
                body = try comments.taskNotInferred(problems: refused, questions: [], model: model)
                metadata["outcome"] = "refused by the checks"
            }
        } catch let refusal as ModelBudgetExceeded {
            body = try comments.issueParse(.problems(problems, warnings: warnings + [IssueWarning(field: "model", message: refusal.description)]))
            metadata["outcome"] = "over budget"
            read = false
        } catch let error as ModelError {
            let message = "a model could not read the issue (\(error)); fill in the fields, or edit the issue to have it read again"
            body = try comments.issueParse(.problems(problems, warnings: warnings + [IssueWarning(field: "model", message: message)]))
            metadata["outcome"] = "model failed"
            read = false
        }
        try await github.writeStatus(body + (read ? "\n\(mark)\n" : ""), version: version, issue: number, in: repository)
        logger.info("issue read by a model", metadata: metadata)
        return nil
    }

    /// Ends every status written for a reading, whatever came of it, with a digest of the text read: an event about
    /// the same text (a redelivery, `opened` and `labeled` together) makes no other reading. Not the issue's version,
    /// which GitHub keeps to the second: an edit in the same second would go unread.
    static func readingMark(_ issue: IssueInput) -> String {
        let text = ([issue.title, issue.body] + issue.labels.sorted()).joined(separator: "\u{0}")
        let digest = SHA256.hash(data: Data(text.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
        return "<!-- gaffer:read-by-model \(digest) -->"
    }

    /// What the status of a confirmed reading keeps below the task: the form, for a later `/retry`, and the mark of
    /// the text it was read from.
    static func confirmedNote(_ form: String, issue: IssueInput) -> String {
        "\n\n_Confirmed from a model's reading of the issue:_\n\n\(GafferComments.inferredMarker)\n\(form)\(readingMark(issue))\n"
    }

    /// The form after the inferred marker: its fenced YAML block, fences included.
    static func form(in body: String) -> String? {
        guard let marker = body.range(of: GafferComments.inferredMarker) else { return nil }
        let rest = body[marker.upperBound...]
        guard let start = rest.range(of: "```yaml\n"), let end = rest[start.upperBound...].range(of: "\n```") else { return nil }
        return String(rest[start.lowerBound..<end.upperBound]) + "\n"
    }
}
