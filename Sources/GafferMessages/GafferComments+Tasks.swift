import Foundation
import GafferCore

/// What Gaffer writes about a task's plan: the issue's status, and the pull request's body.
extension GafferComments {
    /// The issue's status once the plan's code is in a pull request.
    public func taskPlanned(_ plan: Plan, pullRequest number: Int, branch: String, commit: String) throws -> String {
        var context = taskFields(plan.task)
        context["number"] = String(number)
        context["branch"] = MarkdownText.plain(branch)
        context["commit"] = String(commit.prefix(12))
        context["steps"] = stepRows(plan)
        if let estimate = plan.estimate { context["estimate"] = Self.monthly(estimate) }
        if !plan.findings.isEmpty { context["findingCount"] = String(plan.findings.count) }
        context["needsApproval"] = plan.requiresApproval
        context["approvalReasons"] = plan.approvalReasons.map(MarkdownText.plain)
        return try templates.render("task-planned", context)
    }

    /// The issue's status when its plan stopped: why, and what Gaffer cannot do. `pullRequest`: the
    /// task's pull request from an earlier plan, left as it was.
    public func planFailed(_ plan: Plan, pullRequest: Int? = nil) throws -> String {
        let task = plan.task
        let what = "\(task.kind.displayName) \(task.resource?.displayName ?? "all resources")\(task.resourceName.map { " \($0)" } ?? "")"
        let gaps = plan.gaps.map { gap -> [String: Any] in
            ["agent": gap.agent.rawValue, "asked": MarkdownText.plain(gap.asked), "lacking": MarkdownText.plain(gap.lacking)]
        }
        var reasons = plan.failureReasons
        if reasons.isEmpty && gaps.isEmpty { reasons = ["the plan ended \(plan.state.rawValue)"] }
        var context: [String: Any] = [
            "what": MarkdownText.plain(what), "reasons": reasons.map(MarkdownText.plain), "gaps": gaps, "hasGaps": !gaps.isEmpty,
        ]
        if let pullRequest { context["pullRequest"] = String(pullRequest) }
        return try templates.render("task-plan-failed", context)
    }

    /// The issue's status when a step stopped at a cap with work unfinished: what it wrote is on `branch`, no pull request.
    public func taskUnfinished(_ plan: Plan, branch: String, commit: String) throws -> String {
        var context = taskFields(plan.task)
        let step = plan.unfinishedStep
        context["step"] = MarkdownText.plain(step?.id ?? "a")
        context["reason"] = MarkdownText.plain(step?.error ?? "it stopped at a cap")
        context["branch"] = MarkdownText.plain(branch)
        context["commit"] = String(commit.prefix(12))
        context["notes"] = (step?.output?.notes ?? []).map(MarkdownText.plain)
        if let details = step?.output?.details { context["details"] = MarkdownText.block(details) }
        return try templates.render("task-unfinished", context)
    }

    /// A model's reading of a failure (a pipeline, a stack operation), marked as an unchecked suggestion.
    public func failureExplained(what: String, model: String, cause: String, suggestion: String) throws -> String {
        try templates.render(
            "failure-explained",
            [
                "what": MarkdownText.plain(what), "model": MarkdownText.code(model), "cause": MarkdownText.untrusted(cause),
                "suggestion": MarkdownText.untrusted(suggestion),
            ]
        )
    }

    /// One setting a follow-up changed, as the reply's table shows it.
    public struct FollowUpRow: Sendable {
        public var key: String
        public var before: String?
        public var after: String

        public init(key: String, before: String?, after: String) {
            self.key = key
            self.before = before
            self.after = after
        }
    }

    /// The reply to a follow-up that changed the task: what changed, where it is kept, and the commit it made
    /// (nil when planning again left the branch as it was). `model` names the model that read the conversation.
    public func followUpApplied(actor: String, rows: [FollowUpRow], issue: Int, branch: String, commit: String?, model: String?) throws -> String {
        let cell = { (text: String) in MarkdownText.code(text.count > 120 ? String(text.prefix(120)) + "…" : text) }
        var applied: [String: Any] = [
            "changes": rows.map { ["key": MarkdownText.code($0.key), "before": $0.before.map(cell) ?? "(not set)", "after": cell($0.after)] },
            "issue": String(issue), "branch": MarkdownText.plain(branch),
        ]
        if let commit { applied["commit"] = String(commit.prefix(12)) }
        if let model { applied["model"] = MarkdownText.code(model) }
        return try templates.render("follow-up", ["applied": applied, "actor": "@" + MarkdownText.plain(actor)])
    }

    /// The reply to a follow-up that changed nothing, with each reason.
    public func followUpRefused(actor: String, reasons: [String]) throws -> String {
        try templates.render("follow-up", ["refused": true, "actor": "@" + MarkdownText.plain(actor), "reasons": reasons])
    }

    /// A model's question back, when it could not tell what a follow-up asks for.
    public func followUpQuestion(question: String, model: String, mention: String) throws -> String {
        try templates.render(
            "follow-up",
            ["question": MarkdownText.untrusted(question), "model": MarkdownText.code(model), "mention": MarkdownText.plain(mention)]
        )
    }

    /// What replaces a model's reading of a failure once a later run passes.
    public func failureExplanationOutdated(what: String) throws -> String {
        try templates.render("failure-explanation-outdated", ["what": MarkdownText.plain(what)])
    }

    /// The issue's status while issues it depends on are open.
    public func taskWaiting(for open: [Int]) throws -> String {
        try templates.render("task-waiting", ["waitingFor": open.map { "#\($0)" }.joined(separator: ", "), "single": open.count == 1])
    }

    /// The body of the task's pull request: what was asked, the plan, files, cost, findings, approval, and `Closes #N`.
    public func pullRequestBody(_ plan: Plan, issue: Int) throws -> String {
        var context = taskFields(plan.task)
        context["issue"] = String(issue)
        if let requester = plan.task.requester { context["requester"] = MarkdownText.plain(requester) }
        context["steps"] = stepRows(plan)
        let modelNotes = plan.steps.filter { $0.intent == .writeApplicationCode }.flatMap { $0.output?.notes ?? [] }
        context["modelNotes"] = modelNotes.map(MarkdownText.plain)
        context["hasModelNotes"] = !modelNotes.isEmpty
        context["files"] = plan.files.changes.map { change -> String in
            switch change {
            case .write(let path, _, _): MarkdownText.code(path)
            case .delete(let path): "deletes \(MarkdownText.code(path))"
            }
        }
        if let estimate = plan.estimate {
            context["estimate"] =
                [
                    "lines": estimate.lines.map { line -> [String: Any] in
                        [
                            "resource": MarkdownText.plain(line.resource), "type": MarkdownText.plain(line.type),
                            "monthly": Self.dollars(line.monthlyUSD), "basis": MarkdownText.plain(line.basis),
                        ]
                    },
                    "total": Self.monthly(estimate), "source": MarkdownText.plain(estimate.source),
                ] as [String: Any]
        }
        context["findings"] = plan.findings.map { finding -> [String: Any] in
            [
                "severity": finding.severity.rawValue, "rule": MarkdownText.plain(finding.rule),
                "where": MarkdownText.code("\(finding.file):\(finding.line)"), "message": MarkdownText.plain(finding.message),
                "requested": finding.requested, "fix": MarkdownText.plain(finding.fix),
            ]
        }
        context["hasFindings"] = !plan.findings.isEmpty
        context["needsApproval"] = plan.requiresApproval
        context["lessons"] = (plan.lessons ?? []).map(MarkdownText.plain)
        context["hasLessons"] = !(plan.lessons ?? []).isEmpty
        context["approvalReasons"] = plan.approvalReasons.map(MarkdownText.plain)
        return try templates.render("pull-request-body", context)
    }

    /// The title of the task's pull request.
    public func pullRequestTitle(_ task: AwsTask, issue: Int) -> String {
        "\(task.kind.displayName) \(task.resource?.displayName ?? "resources")\(task.resourceName.map { " \($0)" } ?? "") (#\(issue))"
    }

    private func taskFields(_ task: AwsTask) -> [String: Any] {
        var context: [String: Any] = [
            "kind": MarkdownText.plain(task.kind.displayName), "resource": MarkdownText.plain(task.resource?.displayName ?? "all resources"),
        ]
        if let name = task.resourceName { context["name"] = MarkdownText.code(name) }
        if let region = task.region { context["region"] = MarkdownText.plain(region) }
        return context
    }

    private func stepRows(_ plan: Plan) -> [[String: Any]] {
        plan.steps.map { ["id": MarkdownText.plain($0.id), "agent": $0.agent.rawValue, "state": $0.state.rawValue] }
    }

    public static func dollars(_ amount: Double) -> String { "$" + String(format: "%.2f", amount) }

    static func monthly(_ estimate: CostEstimate) -> String {
        (estimate.isSaving ? "saves " : "") + dollars(estimate.monthlyUSD) + " a month"
    }
}

extension GafferComments {
    /// The issue's status once it was closed and Gaffer closed its pull requests.
    public func taskClosed(pullRequests: [Int], branches: [String]) throws -> String {
        try templates.render(
            "task-closed",
            [
                "pullRequests": pullRequests.map { "#\($0)" }.joined(separator: ", "),
                "branches": branches.map(MarkdownText.code).joined(separator: ", "), "single": pullRequests.count == 1,
            ]
        )
    }
}

extension GafferComments {
    /// The issue's status when the person who opened, edited or labelled it may not have a task planned.
    public func taskDenied(actor: String, needs: String, has: String) throws -> String {
        try templates.render("task-denied", ["actor": MarkdownText.plain(actor), "needs": needs, "has": has])
    }
}

extension GafferComments {
    /// The issue's status once its pull request was merged.
    public func taskMerged(pullRequest: Int, by login: String) throws -> String {
        try templates.render("task-merged", ["pullRequest": "#\(pullRequest)", "by": MarkdownText.plain(login)])
    }
}

/// What Gaffer writes when a model read an issue the parser could not type.
extension GafferComments {
    /// A task's tags as one table cell: `key: value` code spans, by key.
    static func tagList(_ tags: [String: String]) -> String {
        tags.keys.sorted().map { MarkdownText.code("\($0): \(tags[$0] ?? "")") }.joined(separator: ", ")
    }

    /// The marker before the inferred form in the status comment; `/plan` confirms the form after it.
    public static let inferredMarker = "<!-- gaffer:inferred -->"

    /// The inferred task, every field marked as inferred, and the form that states it, for `/plan` or pasting.
    public func taskInferred(_ task: AwsTask, fields: [(key: String, value: String)], form: String, model: String) throws -> String {
        var context: [String: Any] = [
            "kind": MarkdownText.plain(task.kind.displayName),
            "resource": MarkdownText.plain(task.resource?.displayName ?? "all resources"),
            "fields": fields.map { ["key": MarkdownText.plain($0.key), "value": MarkdownText.code($0.value)] }
                + (task.tags.isEmpty ? [] : [["key": "tags", "value": Self.tagList(task.tags)]]),
            "form": form,
            "model": MarkdownText.code(model),
        ]
        if let name = task.resourceName { context["name"] = MarkdownText.code(name) }
        return try templates.render("task-inferred", context)
    }

    /// A model's reading that could not be used: the rules its answer broke, and its questions (at most five).
    public func taskNotInferred(problems: [IssueProblem], questions: [String], model: String) throws -> String {
        let rows = problems.map { problem -> [String: Any] in
            var row: [String: Any] = [
                "field": MarkdownText.code(problem.field), "rule": MarkdownText.plain(problem.rule), "example": MarkdownText.code(problem.example),
            ]
            if let value = problem.value { row["value"] = MarkdownText.code(value) }
            return row
        }
        let asked = questions.prefix(5).map { MarkdownText.untrusted(String($0.prefix(300))) }
        return try templates.render(
            "task-not-inferred",
            [
                "problems": rows, "hasProblems": !rows.isEmpty, "questions": Array(asked), "hasQuestions": !asked.isEmpty,
                "model": MarkdownText.code(model),
            ]
        )
    }
}
