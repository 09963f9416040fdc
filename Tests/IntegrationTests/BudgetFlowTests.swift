import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferTestSupport
import Testing

/// Budgets end to end: a plan over the per-task budget says so in its plan comment, `/apply` alone is refused
/// naming the budget, and a second person's approval lets it through.
@Suite struct BudgetFlowTests {
    @Test func aPlanOverThePerTaskBudgetNeedsAnApprovalNamingIt() async throws {
        let story = try await ChangeFlowTests.Story.start { configuration in
            // Without `approved` among the requirements, only the budget asks for a second person here.
            configuration.changes.applyRequirements = [.mergeable]
            configuration.changes.budgets = Budgets(taskUSD: 0.5)
        }
        defer { story.stop() }
        let task = try await story.openTask("Create an S3 bucket named budget-logs in us-east-1")
        #expect(task.plan.contains("over the per-task budget of $0.50 (budget_task_usd)"), "\(task.plan)")
        let alone = try #require(try await story.say("/apply", on: task.pull.number, as: story.alice))
        #expect(alone.contains("it needs an approval (it adds about $"), "\(alone)")
        #expect(alone.contains("a month, over the per-task budget of $0.50 (budget_task_usd)): another person must `/approve` it"))
        #expect(try await S3(try story.aws()).bucketExists("budget-logs") == false)

        let applied = try await ChangeFlowTests().approveAndApply(task.pull.number, in: story)
        #expect(applied.contains(": applied"), "\(applied)")
        #expect(try await S3(try story.aws()).bucketExists("budget-logs"))
    }
}
