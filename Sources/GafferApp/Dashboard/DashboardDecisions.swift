import Foundation
import GafferCore
import GafferGitHub

/// Approve and Deny on the dashboard: the same rules as `/approve` and `/deny` in a comment (the
/// person's permission read from GitHub, never the requester's own approval), recorded as a decision
/// and written on the pull request, saying it came from the dashboard.
struct DashboardDecisions: Sendable {
    let work: ChangeWork
    let github: GitHubConnection
    let policy: AuthorizationPolicy

    enum Outcome: Sendable, Equatable {
        case recorded(String)
        case refused(String)
    }

    func decide(planID: String, verdict: Decision.Verdict, reason: String?, login: String) async throws -> Outcome {
        let command: CommandName = verdict == .approve ? .approve : .deny
        guard let plan = try await work.store.changePlan(id: planID) else { return .refused("there is no plan \(planID)") }
        guard let ref = try await github.repository(plan.repository) else {
            return .refused("Gaffer cannot reach \(plan.repository) on GitHub (the app is not installed there), so it cannot check your permission")
        }
        let actor = try await github.actor(login, for: [command], policy: policy, in: ref)
        if case .denied(let why) = policy.decide(command, actor: actor, requester: plan.requester) { return .refused(why) }
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if verdict == .deny, (reason ?? "").isEmpty { return .refused("say why you deny the plan: the reason is written on the pull request") }
        // One command at a time per task, as comments are run: a comment's `/apply` and this decision do not interleave.
        let outcome: Outcome = try await work.workspaces.exclusively("\(plan.repository)#\(plan.issue)") {
            let latest = try await work.store.latestChangePlan(repository: plan.repository, pullRequest: plan.pullRequest)
            guard let latest, latest.id == plan.id, latest.state == .planned else {
                return .refused(
                    "this plan no longer waits for a decision (it is \(latest?.id == plan.id ? latest?.state.rawValue ?? "gone" : "replaced by a newer plan")); reload the page"
                )
            }
            try await work.store.recordDecision(
                Decision(
                    repository: plan.repository,
                    pullRequest: plan.pullRequest,
                    planID: plan.id,
                    verdict: verdict,
                    by: login,
                    reason: (reason ?? "").isEmpty ? nil : reason,
                    at: work.clock.now()
                )
            )
            if verdict == .deny { try await ChangePlanner(work: work).discard(plan) }
            return .recorded(
                verdict == .approve
                    ? "You approved the plan of \(plan.repository)#\(plan.pullRequest)."
                    : "You denied the plan of \(plan.repository)#\(plan.pullRequest); it is discarded."
            )
        }
        guard case .recorded = outcome else { return outcome }
        // Found again by its key: a retried request edits the same comment rather than adding another.
        try await github.writeStatus(
            try github.comments.decisionRecorded(verdict, actor: login, plan: plan, reason: reason, dashboard: true),
            key: "dashboard-\(verdict.rawValue)-\(plan.id)-\(login.lowercased())",
            issue: plan.pullRequest,
            in: ref
        )
        return outcome
    }
}
