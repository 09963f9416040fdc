import Foundation
import GafferCore

/// The comment a read-only task answers with: the summary first, then tables, long lists folded.
extension GafferComments {
    /// Where the report's files are, for the comment's last line.
    public struct ReportFiles: Sendable {
        public var json: String
        public var csv: String
        /// The jobs API path that serves the JSON, when Gaffer serves HTTP.
        public var api: String?

        public init(json: String, csv: String, api: String?) {
            self.json = json
            self.csv = csv
            self.api = api
        }
    }

    /// `onIssue`: the report answers an issue (editing it runs the report again), not the command line.
    /// `fixes`: the issues that offer the audit's fixes as pull requests.
    public func report(
        _ report: Report,
        summary: String,
        files: ReportFiles?,
        onIssue: Bool = true,
        fixes: [(number: Int, title: String)] = []
    ) throws
        -> String
    {
        var context: [String: Any] = [
            "fixes": fixes.map { ["number": String($0.number), "title": MarkdownText.plain($0.title)] }, "hasFixes": !fixes.isEmpty,
            "title": MarkdownText.plain(Self.title(report)), "summary": MarkdownText.plain(summary), "onIssue": onIssue,
            "gaps": report.gaps.map(MarkdownText.plain), "hasGaps": !report.gaps.isEmpty,
        ]
        if let files {
            var values = ["json": MarkdownText.code(files.json), "csv": MarkdownText.code(files.csv)]
            if let api = files.api { values["api"] = MarkdownText.code(api) }
            context["files"] = values
        }
        switch report.kind {
        case .securityAudit: context["security"] = securityContext(report)
        case .healthCheck: context["health"] = healthContext(report)
        case .optimizeCosts: context["cost"] = costContext(report)
        default: context["discover"] = discoverContext(report)
        }
        return try templates.render("task-report", context)
    }

    /// The most rows one table of a report comment shows; the rest are in the full report's files.
    public static let maximumReportRows = 100

    /// The first rows, and how many were left out (nil when none were).
    static func capped<Item>(_ items: [Item]) -> (shown: [Item], more: String?) {
        let more = items.count - maximumReportRows
        return (Array(items.prefix(maximumReportRows)), more > 0 ? String(more) : nil)
    }

    static func title(_ report: Report) -> String {
        let place = report.regions.count == 1 ? report.regions[0] : "\(report.regions.count) regions"
        let what: String
        switch report.kind {
        case .securityAudit: what = "Security audit"
        case .healthCheck: what = "Health check"
        case .optimizeCosts: what = "Cost report"
        default: what = "Discovery"
        }
        return "\(what) of \(report.accounts.joined(separator: ", ")) in \(place)"
    }

    private func discoverContext(_ report: Report) -> [String: Any] {
        func row(_ resource: ReportResource) -> [String: Any] {
            let status = resource.gone ? "gone" : resource.managed ? "yes (\(MarkdownText.code(resource.stack ?? "")))" : "no"
            let tags = resource.tags.sorted { $0.key < $1.key }.map { MarkdownText.code("\($0.key)=\($0.value)") }
            return [
                "id": MarkdownText.code(resource.id), "type": MarkdownText.plain(resource.type), "region": MarkdownText.plain(resource.region),
                "account": MarkdownText.plain(resource.account), "status": status, "tags": tags.joined(separator: " "),
            ]
        }
        let grouped = Dictionary(grouping: report.resources, by: \.service).sorted { $0.key < $1.key }
        let services = grouped.map { service, resources -> [String: Any] in
            let managed = resources.filter { $0.managed && !$0.gone }.count
            let gone = resources.filter(\.gone).count
            let unmanaged = resources.filter { !$0.managed }.count
            let (shown, more) = Self.capped(resources)
            var context: [String: Any] = [
                "service": MarkdownText.plain(service), "total": String(resources.count), "managed": String(managed),
                "unmanaged": String(unmanaged), "gone": String(gone), "rows": shown.map(row),
            ]
            if let more { context["more"] = more }
            return context
        }
        let gone = report.resources.filter(\.gone).map { resource -> [String: Any] in
            [
                "id": MarkdownText.code(resource.id), "type": MarkdownText.plain(resource.type), "region": MarkdownText.plain(resource.region),
                "stack": MarkdownText.code(resource.stack ?? ""),
            ]
        }
        return ["services": services, "gone": gone, "hasGone": !gone.isEmpty]
    }

    private func healthContext(_ report: Report) -> [String: Any] {
        func row(_ resource: ReportResource) -> [String: Any] {
            [
                "id": MarkdownText.code(resource.id), "type": MarkdownText.plain(resource.type), "region": MarkdownText.plain(resource.region),
                "health": Self.badge(resource.health), "evidence": MarkdownText.plain(resource.evidence.joined(separator: "; ")),
            ]
        }
        let attention = report.resources.filter { $0.health == .unhealthy || $0.health == .degraded }.sorted { $0.health > $1.health }
        let verdicts = HealthVerdict.allCases.compactMap { verdict -> [String: Any]? in
            let count = report.resources.filter { $0.health == verdict }.count
            return count == 0 ? nil : ["verdict": Self.badge(verdict), "count": String(count)]
        }
        let (attentionShown, attentionMore) = Self.capped(attention)
        let (shown, more) = Self.capped(report.resources)
        var context: [String: Any] = [
            "verdicts": verdicts, "attention": attentionShown.map(row), "hasAttention": !attention.isEmpty, "rows": shown.map(row),
            "total": String(report.resources.count),
        ]
        if let attentionMore { context["attentionMore"] = attentionMore }
        if let more { context["more"] = more }
        return context
    }

    private func costContext(_ report: Report) -> [String: Any] {
        var context: [String: Any] = [:]
        if let costs = report.costs {
            func rows(_ lines: [CostSummary.Line]) -> [[String: Any]] {
                lines.map { ["name": MarkdownText.plain($0.name), "usd": Self.dollars($0.usd)] }
            }
            context["costs"] = [
                "start": costs.start, "end": costs.end, "total": Self.dollars(costs.totalUSD), "monthToDate": Self.dollars(costs.monthToDateUSD),
                "forecast": Self.dollars(costs.forecastUSD), "forecastBasis": MarkdownText.plain(costs.forecastBasis),
                "byService": rows(costs.byService),
                "byIssue": rows(costs.byIssue), "hasIssues": !costs.byIssue.isEmpty, "hasServices": !costs.byService.isEmpty,
            ]
        }
        context["hasProposals"] = !report.proposals.isEmpty
        context["savingTotal"] = Self.dollars(report.proposals.reduce(0) { $0 + $1.monthlySavingUSD })
        let (shown, more) = Self.capped(report.proposals)
        if let more { context["more"] = more }
        context["proposals"] = shown.map { proposal -> [String: Any] in
            [
                "id": MarkdownText.plain(proposal.id ?? "-"),
                "resource": (proposal.managed ? "🛠 " : "") + MarkdownText.code(proposal.resource), "region": MarkdownText.plain(proposal.region),
                "action": MarkdownText.plain(proposal.action), "saving": Self.dollars(proposal.monthlySavingUSD),
                "evidence": MarkdownText.plain(proposal.evidence),
            ]
        }
        return context
    }

    private func securityContext(_ report: Report) -> [String: Any] {
        func row(_ finding: AuditFinding) -> [String: Any] {
            [
                "severity": finding.severity.rawValue, "rule": MarkdownText.code(finding.rule),
                "resource": (finding.managed ? "🛠 " : "") + MarkdownText.code(finding.resource), "region": MarkdownText.plain(finding.region),
                "evidence": MarkdownText.plain(finding.evidence), "fix": MarkdownText.plain(finding.fix),
            ]
        }
        let urgent = Self.capped(report.findings.filter { $0.severity >= .high })
        let lesser = report.findings.filter { $0.severity < .high }
        let lesserShown = Self.capped(lesser)
        var context: [String: Any] = [
            "hasFindings": !report.findings.isEmpty, "urgent": urgent.shown.map(row), "lesser": lesserShown.shown.map(row),
            "hasLesser": !lesser.isEmpty,
            "lesserCount": String(lesser.count), "hasManaged": report.findings.contains(where: \.managed),
        ]
        if let more = urgent.more { context["urgentMore"] = more }
        if let more = lesserShown.more { context["lesserMore"] = more }
        return context
    }

    /// The body of the issue the scheduled health check opens for an unhealthy resource Gaffer made.
    /// What the scheduled health check did about an unhealthy resource, as its autonomy allows.
    public enum HealthRemedy: Sendable {
        /// The restart was run: what was done.
        case done(String, autonomy: Int, required: Int)
        /// A restart would fit, but the resource's autonomy is below the required level.
        case heldBack(action: String, autonomy: Int, required: Int)
        case failed(action: String, error: String)
    }

    public func healthIssue(_ resource: ReportResource, entry: RegisteredResource, marker: String, remedy: HealthRemedy? = nil) throws -> String {
        let fix =
            resource.gone
            ? "it is gone: `/destroy` its stack, or edit #\(entry.issue) to make it again" : "edit #\(entry.issue), or comment on its pull request"
        var context: [String: Any] = [
            "marker": marker, "resource": MarkdownText.code(resource.id), "type": MarkdownText.plain(resource.type),
            "account": MarkdownText.plain(resource.account), "region": MarkdownText.plain(resource.region),
            "stack": MarkdownText.code(entry.stack.name), "issue": String(entry.issue), "evidence": resource.evidence.map(MarkdownText.plain),
            "fix": MarkdownText.plain(fix),
        ]
        switch remedy {
        case .done(let what, let autonomy, let required):
            context["remedied"] = ["done": what, "autonomy": String(autonomy), "required": String(required)]
        case .heldBack(let action, let autonomy, let required):
            context["heldBack"] = ["action": MarkdownText.plain(action), "autonomy": String(autonomy), "required": String(required)]
        case .failed(let action, let error):
            context["remedyFailed"] = ["action": MarkdownText.plain(action), "error": MarkdownText.plain(error)]
        case nil:
            break
        }
        return try templates.render("health-issue", context)
    }

    /// The answer to `/approve P2` on a cost report: what was done, or the issue that makes the change.
    public enum ProposalApproval: Sendable {
        /// Gaffer did it: a sentence such as "stopped `i-0abc`".
        case done(String)
        /// The resource is a stack's: the task issue that changes it, opened now or before.
        case offered(issue: Int, created: Bool, taskIssue: Int, change: String)
    }

    public func proposalApproved(_ proposal: SavingsProposal, approval: ProposalApproval, actor: String) throws -> String {
        var context: [String: Any] = [
            "actor": MarkdownText.plain(actor), "id": MarkdownText.plain(proposal.id ?? ""), "rule": MarkdownText.plain(proposal.rule),
            "resource": MarkdownText.code(proposal.resource), "saving": Self.dollars(proposal.monthlySavingUSD),
        ]
        switch approval {
        case .done(let what): context["done"] = what
        case .offered(let issue, let created, let taskIssue, let change):
            context["offered"] = ["issue": String(issue), "created": created, "taskIssue": String(taskIssue), "change": MarkdownText.code(change)]
        }
        return try templates.render("proposal-approved", context)
    }

    /// The comment that closes a health issue once its resource recovered.
    public func healthRecovered(_ resource: ReportResource) throws -> String {
        try templates.render(
            "health-recovered",
            [
                "resource": MarkdownText.code(resource.id), "health": Self.badge(resource.health), "hasEvidence": !resource.evidence.isEmpty,
                "evidence": MarkdownText.plain(resource.evidence.joined(separator: "; ")),
            ]
        )
    }

    static func badge(_ verdict: HealthVerdict) -> String {
        switch verdict {
        case .healthy: "🟢 Healthy"
        case .degraded: "🟠 Degraded"
        case .unhealthy: "🔴 Unhealthy"
        case .unknown: "⚪ Unknown"
        }
    }
}
