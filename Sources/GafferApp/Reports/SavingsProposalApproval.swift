import Foundation
import GafferCore
import GafferMessages

/// `/approve P2` on a cost report's issue: the only way a savings proposal is acted on. For a
/// resource one of Gaffer's stacks made, the change goes through the task that made it (an update
/// issue, planned in a pull request and applied only after that plan is approved); for any other,
/// Gaffer does the one thing the proposal says (stop the instance, release the address, delete the
/// volume after a snapshot, or the snapshot), after checking it still holds. The approval is a
/// decision in the knowledge base either way.
struct SavingsProposalApproval {
    let context: CommandContext

    static func isProposalID(_ text: String) -> Bool { text.wholeMatch(of: /[Pp][0-9]+/) != nil }

    func approve(_ id: String) async throws -> CommandOutcome {
        let actor = context.actor.login
        func refuse(_ text: String) throws -> CommandOutcome { .refused(try context.github.comments.note(.unavailable(text), actor: actor)) }
        let repository = context.target.fullName
        guard let reports = context.reports else { return try refuse("this Gaffer makes no reports, so it has no savings proposals.") }
        guard let plan = try await context.work.store.latestPlan(repository: repository, issue: context.target.issue),
            plan.task.kind == .optimizeCosts,
            let data = try? Data(contentsOf: reports.file(plan.id, "json"))
        else {
            return try refuse(
                "\(id) names a savings proposal, and this issue has no cost report. `/approve \(id)` works on the issue of the cost report that lists it."
            )
        }
        let report = try Report.decoded(from: data)
        guard let proposal = report.proposals.first(where: { $0.id == id }) else {
            let ids = report.proposals.compactMap(\.id)
            return try refuse(
                "this issue's latest cost report has no proposal \(id)"
                    + (ids.isEmpty ? "; it has none." : "; it lists \(ids.first ?? "") to \(ids.last ?? "").")
            )
        }

        let approval: GafferComments.ProposalApproval
        if let entry = try await reports.store.registeredResources().first(where: { $0.arn == proposal.resource }) {
            guard let change = proposal.taskChange,
                let task = try await context.work.store.latestPlan(repository: entry.repository, issue: entry.issue)?.task,
                let resource = task.resource, let request = task.updateRequest(changing: change),
                entry.repository.lowercased() == repository.lowercased()
            else {
                return try refuse(
                    "\(proposal.resource) is in Gaffer's stack \(entry.stack.name), made for \(entry.repository)#\(entry.issue): "
                        + "change it through that task (\(proposal.action)), so its stack keeps agreeing with AWS."
                )
            }
            guard let offer = context.offerTask else { return try refuse("Gaffer cannot open issues here, so it cannot offer the change.") }
            let changed = change.keys.sorted().map { "\($0): \(change[$0]?.description ?? "")" }.joined(separator: ", ")
            let name = task.resourceName ?? proposal.resource
            let issue = try await offer(
                "Save \(GafferComments.dollars(proposal.monthlySavingUSD)) a month: \(proposal.action) (\(resource.displayName) \(name))",
                """
                <!-- gaffer:saving rule=\(proposal.rule) arn=\(proposal.resource) -->
                @\(actor) approved savings proposal \(id) of the cost report in #\(context.target.issue): \(proposal.evidence). \
                This updates the task of #\(entry.issue) with `\(changed)`. Gaffer plans it in a pull request, and it is applied \
                only after that plan is approved.

                \(request)
                """,
                "<!-- gaffer:saving rule=\(proposal.rule) arn=\(proposal.resource) -->"
            )
            approval = .offered(issue: issue.number, created: issue.created, taskIssue: entry.issue, change: changed)
        } else {
            guard let kind = ResourceAction.carrying(out: proposal.rule) else {
                return try refuse(
                    "Gaffer did not make \(proposal.resource), and acts on resources it did not make only to stop an idle instance, "
                        + "release an address or delete an unattached volume or an old snapshot. Do this one by hand: \(proposal.action)."
                )
            }
            guard let actions = context.work.actions else { return try refuse("this Gaffer has no AWS credentials to act with.") }
            do {
                let done = try await actions.perform(ResourceAction(kind, arn: proposal.resource, account: proposal.account, region: proposal.region))
                approval = .done(done)
            } catch let refused as ActionRefused {
                return try refuse("\(refused.description). Run the cost report again (edit the issue) to see what holds now.")
            }
        }
        let reason = context.command.arguments.dropFirst().joined(separator: " ")
        var decision = Decision(
            repository: repository,
            pullRequest: context.target.issue,
            planID: plan.id,
            verdict: .approve,
            by: actor,
            reason: reason.isEmpty ? nil : reason,
            at: context.work.clock.now()
        )
        decision.subject = "savings proposal \(id) (\(proposal.rule)) on \(proposal.resource)"
        try await context.work.store.recordDecision(decision)
        return .answered(try context.github.comments.proposalApproved(proposal, approval: approval, actor: actor))
    }
}
