import GafferCore
import Testing

@Suite struct BudgetsTests {
    @Test func eachBudgetOverrunIsAReasonThatNamesIt() {
        let budgets = Budgets(taskUSD: 10, monthlyUSD: 100)
        #expect(budgets.approvalReasons(adds: 9.99, ownSpend: 0, monthlyRunRate: 90).isEmpty)
        #expect(
            budgets.approvalReasons(adds: 12, ownSpend: 0, monthlyRunRate: 0)
                == ["it adds about $12.00 a month, over the per-task budget of $10.00 (budget_task_usd)"]
        )
        #expect(
            budgets.approvalReasons(adds: 5, ownSpend: 0, monthlyRunRate: 96)
                == ["with it, Gaffer's resources would cost about $101.00 a month, over the monthly budget of $100.00 (budget_monthly_usd)"]
        )
        #expect(budgets.approvalReasons(adds: nil, ownSpend: 10.5, monthlyRunRate: 0).first?.contains("Gaffer's own work on it cost $10.50") == true)
        #expect(Budgets().approvalReasons(adds: 1e9, ownSpend: 1e9, monthlyRunRate: 1e9).isEmpty, "no budget, no reason")
        #expect(budgets.approvalReasons(adds: -50, ownSpend: 0, monthlyRunRate: 99).isEmpty, "a saving adds nothing")
    }
}
