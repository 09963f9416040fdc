import Foundation
import GafferCore

/// `task_status`: where a task stands: its plan's steps and state, and what its model calls cost.
struct TaskStatusTool: GafferTool {
    let name = "task_status"
    let description =
        "Where a task (a GitHub issue) stands in Gaffer: its latest plan's state and steps, approvals needed, and the model calls made for it with their cost."
    let readOnly = true
    let plans: any PlanStore
    let spend: any ModelSpendStore

    var inputSchema: JSONValue {
        ToolSchema.object(
            ["repository": ToolSchema.string("owner/name"), "issue": ToolSchema.integer("the task's issue number")],
            required: ["repository", "issue"]
        )
    }

    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue {
        let (repository, issue) = try arguments.task()
        let plan = try await plans.latestPlan(repository: repository, issue: issue)
        let calls = try await spend.modelCalls(repository: repository, issue: issue)
        var status: [String: JSONValue] = [
            "repository": .string(repository), "issue": .number(Decimal(issue)),
            "modelCalls": .number(Decimal(calls.count)),
            "modelSpendUSD": .number(Decimal(calls.reduce(0) { $0 + $1.usd })),
        ]
        if let plan {
            status["plan"] = .object([
                "id": .string(plan.id), "state": .string(plan.state.rawValue),
                "steps": .array(
                    plan.steps.map { .object(["id": .string($0.id), "agent": .string($0.agent.rawValue), "state": .string($0.state.rawValue)]) }
                ),
                "requiresApproval": .bool(plan.requiresApproval),
                "approvalReasons": .array(plan.approvalReasons.map { .string($0) }),
                "problems": .array(plan.failureReasons.map { .string($0) }),
            ])
        } else {
            status["plan"] = .null
            status["note"] = "Gaffer has not planned this issue: it may have problems (see its status comment) or not be addressed to Gaffer"
        }
        return .object(status)
    }
}
