import Foundation
import GafferCore

/// The fixes a security audit offers as pull requests: for a finding on a resource Gaffer made,
/// whose task set the very thing the finding is about (`blockPublicAccess: false`), an issue that
/// updates that task with the fixing setting. It is planned and published as any task, so the fix
/// reaches AWS only through its plan, its pipeline and a person's approval.
struct SecurityFixes: Sendable {
    let plans: any PlanStore
    let registry: any RegistryReading

    /// The task setting that clears each rule.
    static let settings: [String: (key: String, value: ParameterValue)] = [
        "S3-PUBLIC-ACCESS-BLOCK": ("blockPublicAccess", .boolean(true)),
        "S3-ENCRYPTION": ("encryption", .string("AES256")),
    ]

    /// One fix to offer: the issue that asks for it.
    struct Offer: Sendable, Equatable {
        var rule: String
        var resource: String
        /// The issue of the task that made the resource.
        var taskIssue: Int
        var title: String
        var body: String
        /// Finds the issue again, so a fix is offered once.
        var marker: String
    }

    static func marker(rule: String, resource: String) -> String { "<!-- gaffer:fix rule=\(rule) arn=\(resource) -->" }

    /// The fixes for `report`'s findings on resources made from issues of `repository`, where the setting would change something.
    func offers(for report: Report, in repository: String, audit: Int) async throws -> [Offer] {
        let entries = Dictionary(try await registry.registeredResources().map { ($0.arn, $0) }, uniquingKeysWith: { first, _ in first })
        var offers: [Offer] = []
        for finding in report.findings where finding.managed {
            guard let setting = Self.settings[finding.rule], let entry = entries[finding.resource],
                entry.repository.lowercased() == repository.lowercased(),
                let task = try await plans.latestPlan(repository: entry.repository, issue: entry.issue)?.task,
                task.parameters[setting.key] != setting.value, let resource = task.resource,
                let request = task.updateRequest(changing: [setting.key: setting.value])
            else { continue }
            let marker = Self.marker(rule: finding.rule, resource: finding.resource)
            guard !offers.contains(where: { $0.marker == marker }) else { continue }
            let name = task.resourceName ?? finding.resource
            offers.append(
                Offer(
                    rule: finding.rule,
                    resource: finding.resource,
                    taskIssue: entry.issue,
                    title: "Fix \(finding.rule) on \(resource.displayName) \(name)",
                    body: """
                        \(marker)
                        The security audit in #\(audit) found \(finding.evidence) on \(name), which #\(entry.issue) made. \
                        This updates that task with `\(setting.key): \(setting.value)`: \(finding.fix). \
                        Gaffer plans it in a pull request, and it is applied only after its plan is approved.

                        \(request)
                        """,
                    marker: marker
                )
            )
        }
        return offers
    }
}
