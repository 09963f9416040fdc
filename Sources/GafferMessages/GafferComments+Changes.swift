import Foundation
import GafferCore

/// What Gaffer writes about plans, approvals and applies.
extension GafferComments {
    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d UTC",
            parts.year ?? 0,
            parts.month ?? 0,
            parts.day ?? 0,
            parts.hour ?? 0,
            parts.minute ?? 0,
            parts.second ?? 0
        )
    }

    /// Who asked for a plan: a person's @login, or "autoplan" when Gaffer's bot planned after a green pipeline.
    static func asker(_ login: String) -> String {
        login.hasSuffix("[bot]") ? "autoplan" : "@" + MarkdownText.plain(login)
    }

    /// A property value in a table cell: code, cut to a readable length.
    static func value(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "" }
        let cut = text.count > 120 ? String(text.prefix(117)) + "..." : text
        return MarkdownText.code(cut)
    }

    /// The pull request's plan comment: counts, then removals, replacements, adds and changes, values,
    /// the cost, the findings, what needs approval, how to go on, and the record.
    public func changePlan(_ plan: ChangePlan, estimate: CostEstimate?, findings: [Finding]) throws -> String {
        var removals: [[String: Any]] = []
        var replacements: [[String: Any]] = []
        var changes: [[String: Any]] = []
        var values: [[String: Any]] = []
        var counts = (add: 0, modify: 0, remove: 0, replace: 0)
        for stack in plan.stacks {
            for change in stack.changes {
                let row: [String: Any] = [
                    "stack": MarkdownText.code(stack.key.name), "logicalID": MarkdownText.code(change.logicalID),
                    "type": MarkdownText.plain(change.resourceType), "action": MarkdownText.plain(change.action),
                ]
                switch change.action {
                case "Remove":
                    counts.remove += 1
                    removals.append(row)
                case "Add":
                    counts.add += 1
                    changes.append(row)
                default:
                    counts.modify += 1
                    if change.replacement == "True" || change.replacement == "Conditional" {
                        counts.replace += 1
                        var replaced = row
                        replaced["replacement"] = change.replacement == "True" ? "always" : "conditional"
                        let forcing = change.properties.filter { $0.requiresRecreation == "Always" || $0.requiresRecreation == "Conditionally" }
                        replaced["forcedBy"] =
                            forcing.isEmpty ? "AWS did not say" : forcing.map { MarkdownText.code($0.name) }.joined(separator: ", ")
                        replacements.append(replaced)
                    } else {
                        changes.append(row)
                    }
                }
                for property in change.properties where property.before != nil || property.after != nil {
                    values.append([
                        "logicalID": MarkdownText.code(change.logicalID), "name": MarkdownText.code(property.name),
                        "before": Self.value(property.before), "after": Self.value(property.after),
                    ])
                }
            }
        }
        var context: [String: Any] = [
            "head": String(plan.headSHA.prefix(12)), "headFull": plan.headSHA, "noChanges": !plan.hasChanges,
            "deleting": plan.operation == .delete, "single": plan.stacks.count == 1,
            "stackList": plan.stacks.map { MarkdownText.code($0.key.name) }.joined(separator: ", "),
            "add": String(counts.add), "modify": String(counts.modify), "remove": String(counts.remove), "replace": String(counts.replace),
            "removals": removals, "has_removals": !removals.isEmpty, "replacements": replacements, "has_replacements": !replacements.isEmpty,
            "changes": changes, "has_changes": !changes.isEmpty, "values": values, "has_values": !values.isEmpty,
            "count_values": String(values.count),
            "account": MarkdownText.plain(plan.stacks.first?.key.account ?? ""), "region": MarkdownText.plain(plan.stacks.first?.key.region ?? ""),
            "requestedBy": Self.asker(plan.requestedBy), "at": Self.utc(plan.createdAt),
            "stacks": plan.stacks.map { stack -> [String: Any] in
                let what =
                    switch (stack.changeSetType, stack.changeSetID.isEmpty) {
                    case ("DELETE", _): "DeleteStack: no change set, the stack is deleted whole"
                    case (_, true): "\(stack.changeSetType): no changes, so no change set is kept; template sha256 `\(stack.templateHash.prefix(16))`"
                    default: "\(stack.changeSetType) change set `\(stack.changeSetID)`; template sha256 `\(stack.templateHash.prefix(16))`"
                    }
                return ["name": MarkdownText.code(stack.key.name), "what": what]
            },
        ]
        if let estimate { context["cost"] = Self.monthly(estimate) }
        let shownFindings = findings.map { finding -> [String: Any] in
            [
                "severity": finding.severity.rawValue, "rule": MarkdownText.plain(finding.rule),
                "where": MarkdownText.code("\(finding.file):\(finding.line)"), "message": MarkdownText.plain(finding.message),
            ]
        }
        context["findings"] = shownFindings
        context["has_findings"] = !shownFindings.isEmpty
        context["count_findings"] = String(shownFindings.count)
        let reasons = plan.approvalReasons + plan.destructiveReasons
        context["approvalReasons"] = reasons.map(MarkdownText.plain)
        context["has_approvalReasons"] = plan.hasChanges && !reasons.isEmpty
        return try templates.render("change-plan", context)
    }

    /// `/plan` could not plan: stacks locked by other pull requests, AWS's refusal, or nothing to plan.
    public func planRefused(
        actor: String,
        locks: [StackLock] = [],
        failure: String? = nil,
        nothing: String? = nil,
        protected: (rule: String, what: String)? = nil
    ) throws -> String {
        var context: [String: Any] = ["actor": MarkdownText.plain(actor), "has_locked": !locks.isEmpty]
        context["lockList"] = locks.map { "the stack \(MarkdownText.code($0.key.description)) is locked by #\($0.pullRequest)" }.joined(
            separator: ", "
        )
        if let first = locks.first { context["firstHolder"] = String(first.pullRequest) }
        if let failure { context["failure"] = MarkdownText.plain(failure) }
        if let nothing { context["nothing"] = MarkdownText.plain(nothing) }
        if let protected { context["protected"] = ["rule": MarkdownText.code(protected.rule), "what": MarkdownText.plain(protected.what)] }
        return try templates.render("change-plan-refused", context)
    }

    /// `/apply` refused: every requirement that does not hold, each with what to do.
    public func applyRefused(actor: String, refusals: [String]) throws -> String {
        try templates.render("apply-refused", ["actor": MarkdownText.plain(actor), "refusals": refusals])
    }

    /// A stack's line in the apply comment.
    public struct StackProgress: Sendable, Equatable {
        public var name: String
        public var status: String
        public var detail: String

        public init(name: String, status: String, detail: String) {
            self.name = name
            self.status = status
            self.detail = detail
        }
    }

    /// A resource that failed, with AWS's reason and the state the stack was left in.
    public struct ApplyFailure: Sendable, Equatable {
        public var resource: String
        public var reason: String
        public var stackStatus: String

        public init(resource: String, reason: String, stackStatus: String) {
            self.resource = resource
            self.reason = reason
            self.stackStatus = stackStatus
        }
    }

    /// The pull request's apply comment: each stack's progress, then the outputs or the failure.
    public func changeApply(
        _ plan: ChangePlan,
        by: String,
        approvers: [String],
        state: String,
        stacks: [StackProgress],
        outputs: [(String, String)] = [],
        failure: ApplyFailure? = nil,
        running: Bool
    ) throws -> String {
        var context: [String: Any] = [
            "head": String(plan.headSHA.prefix(12)), "deleting": plan.operation == .delete, "state": MarkdownText.plain(state),
            "by": MarkdownText.plain(by), "running": running,
            "stacks": stacks.map {
                ["name": MarkdownText.code($0.name), "status": MarkdownText.code($0.status), "detail": MarkdownText.plain($0.detail)]
            },
            "outputs": outputs.map { ["name": MarkdownText.plain($0.0), "value": MarkdownText.plain($0.1)] }, "has_outputs": !outputs.isEmpty,
        ]
        if !approvers.isEmpty { context["approvers"] = approvers.map { "@" + MarkdownText.plain($0) }.joined(separator: ", ") }
        if let failure {
            context["failed"] = true
            context["failedResource"] = MarkdownText.code(failure.resource)
            context["failedReason"] = MarkdownText.plain(failure.reason)
            context["failedStatus"] = MarkdownText.plain(failure.stackStatus)
        }
        return try templates.render("change-apply", context)
    }

    /// The issue's closing summary after a successful apply (or a `/destroy`, when the plan deletes and the task did not ask to).
    public func taskApplied(
        _ plan: ChangePlan,
        what: String,
        by: String,
        approvers: [String],
        resources: [RegisteredResource],
        merged: Bool,
        destroyed: Bool = false
    ) throws -> String {
        var context: [String: Any] = [
            "destroyed": destroyed, "stackList": plan.stacks.map { MarkdownText.code($0.key.name) }.joined(separator: ", "),
            "what": MarkdownText.plain(what), "pullRequest": String(plan.pullRequest), "head": String(plan.headSHA.prefix(12)),
            "by": MarkdownText.plain(by), "account": MarkdownText.plain(plan.stacks.first?.key.account ?? ""),
            "region": MarkdownText.plain(plan.stacks.first?.key.region ?? ""), "merged": merged,
            "resources": resources.map {
                ["id": MarkdownText.code($0.arn), "type": MarkdownText.plain($0.resourceType), "stack": MarkdownText.code($0.stack.name)]
            },
            "has_resources": !resources.isEmpty,
        ]
        if !approvers.isEmpty { context["approvers"] = approvers.map { "@" + MarkdownText.plain($0) }.joined(separator: ", ") }
        return try templates.render("task-applied", context)
    }

    /// The answer to `/approve` or `/deny`; `plan` nil when there was nothing to decide on.
    /// `dashboard`: the decision was made on the dashboard, and this comment mirrors it on the pull request.
    public func decisionRecorded(
        _ verdict: Decision.Verdict,
        actor: String,
        plan: ChangePlan?,
        reason: String?,
        dashboard: Bool = false
    ) throws -> String {
        var context: [String: Any] = ["actor": MarkdownText.plain(actor), "dashboard": dashboard]
        if let plan {
            context[verdict.rawValue] = true
            context["head"] = String(plan.headSHA.prefix(12))
            context["next"] = true
            if let reason, !reason.isEmpty { context["reason"] = MarkdownText.plain(reason) }
        } else {
            context["noPlan"] = true
            context["verb"] = verdict.rawValue
        }
        return try templates.render("decision-recorded", context)
    }

    /// `/status`: the plan, locks, decisions, and what `/apply` still needs.
    public func commandStatus(
        pullRequest: Int?,
        plan: ChangePlan?,
        currentHead: String?,
        locks: [StackLock],
        decisions: [Decision],
        missing: [String]
    ) throws -> String {
        var context: [String: Any] = [
            "missing": missing, "has_missing": !missing.isEmpty,
            "decisions": decisions.map { decision -> [String: Any] in
                var row: [String: Any] = [
                    "verdict": decision.verdict == .approve ? "approved" : "denied", "by": MarkdownText.plain(decision.by),
                    "at": Self.utc(decision.at),
                ]
                if let reason = decision.reason, !reason.isEmpty { row["reason"] = MarkdownText.plain(reason) }
                return row
            },
            "has_decisions": !decisions.isEmpty,
        ]
        if !locks.isEmpty { context["lockList"] = locks.map { MarkdownText.code($0.key.description) }.joined(separator: ", ") }
        if let pullRequest { context["pullRequest"] = String(pullRequest) }
        if let plan {
            var row: [String: Any] = [
                "head": String(plan.headSHA.prefix(12)), "state": plan.state.rawValue, "requestedBy": Self.asker(plan.requestedBy),
                "at": Self.utc(plan.createdAt),
            ]
            if let currentHead, currentHead != plan.headSHA, plan.state == .planned {
                row["stale"] = true
                row["current"] = String(currentHead.prefix(12))
            }
            context["plan"] = row
            context["ready"] = missing.isEmpty && plan.state == .planned && plan.hasChanges
        }
        return try templates.render("command-status", context)
    }

    /// The short answers: already applied, unlocked, nothing locked, cancelled, no pull request, not available.
    public enum Note: Sendable {
        case alreadyApplied(head: String)
        case unlocked([StackKey])
        case nothingLocked
        case cancelled(String)
        case noPullRequest(verb: String)
        case unavailable(String)
        /// A command stopped on an error (AWS or GitHub failing): the job is tried again.
        case failed(command: CommandName, error: String)
        /// `/plan` asked on the issue: the plan is on the pull request.
        case planOn(pullRequest: Int)
        /// `/destroy` made a delete plan, shown on the pull request.
        case destroyPlanned(pullRequest: Int, stacks: [StackKey])
        /// The emergency stop is on: `/apply` and `/destroy` wait for a resume.
        case paused(command: CommandName, by: String, at: Date, reason: String)
    }

    public func note(_ note: Note, actor: String) throws -> String {
        var context: [String: Any] = ["actor": MarkdownText.plain(actor)]
        switch note {
        case .alreadyApplied(let head): context["alreadyApplied"] = ["head": String(head.prefix(12))]
        case .unlocked(let keys):
            context["unlocked"] = [
                "stackList": keys.map { MarkdownText.code($0.description) }.joined(separator: ", "), "single": keys.count == 1,
            ]
        case .nothingLocked: context["nothingLocked"] = true
        case .cancelled(let what): context["cancelled"] = MarkdownText.plain(what)
        case .noPullRequest(let verb): context["noPullRequest"] = ["verb": verb]
        case .unavailable(let text): context["unavailable"] = MarkdownText.plain(text)
        case .failed(let command, let error): context["failed"] = ["command": command.rawValue, "error": MarkdownText.plain(error)]
        case .planOn(let pullRequest): context["planOn"] = String(pullRequest)
        case .paused(let command, let by, let at, let reason):
            context["paused"] = [
                "command": command.rawValue, "by": MarkdownText.plain(by), "at": ISO8601DateFormatter().string(from: at),
                "reason": MarkdownText.plain(reason),
            ]
        case .destroyPlanned(let pullRequest, let stacks):
            context["destroyPlanned"] = [
                "pullRequest": String(pullRequest), "stackList": stacks.map { MarkdownText.code($0.description) }.joined(separator: ", "),
            ]
        }
        return try templates.render("command-note", context)
    }
}
