import Foundation

/// What the operator lets Gaffer spend (`budget_task_usd`, `budget_monthly_usd`): its own work on a task (model
/// calls) and what a plan adds to the monthly AWS bill. A plan over either needs a second person's approval,
/// and the reason names the budget; nothing is refused outright, since a person may decide the spend is right.
public struct Budgets: Sendable, Hashable {
    /// US dollars a month one task's plan may add, and Gaffer's own spend on one task.
    public var taskUSD: Double?
    /// US dollars a month all of Gaffer's resources may cost, with Gaffer's own spend on the task.
    public var monthlyUSD: Double?

    public init(taskUSD: Double? = nil, monthlyUSD: Double? = nil) {
        self.taskUSD = taskUSD
        self.monthlyUSD = monthlyUSD
    }

    /// Why a plan needs approval under the budgets; empty when it is within them.
    /// - Parameters:
    ///   - adds: the plan's estimated monthly cost (nil when not estimated; a saving adds nothing).
    ///   - ownSpend: what Gaffer's own work on the task cost.
    ///   - monthlyRunRate: what Gaffer's resources cost a month now, from the registry.
    public func approvalReasons(adds: Double?, ownSpend: Double, monthlyRunRate: Double) -> [String] {
        var reasons: [String] = []
        let added = max(0, adds ?? 0)
        if let taskUSD {
            if added > taskUSD {
                reasons.append("it adds about $\(Self.money(added)) a month, over the per-task budget of $\(Self.money(taskUSD)) (budget_task_usd)")
            }
            if ownSpend > taskUSD {
                reasons.append(
                    "Gaffer's own work on it cost $\(Self.money(ownSpend)), over the per-task budget of $\(Self.money(taskUSD)) (budget_task_usd)"
                )
            }
        }
        if let monthlyUSD {
            let total = monthlyRunRate + added + ownSpend
            if total > monthlyUSD {
                reasons.append(
                    "with it, Gaffer's resources would cost about $\(Self.money(total)) a month, over the monthly budget of $\(Self.money(monthlyUSD)) (budget_monthly_usd)"
                )
            }
        }
        return reasons
    }

    static func money(_ usd: Double) -> String { String(format: "%.2f", usd) }
}
