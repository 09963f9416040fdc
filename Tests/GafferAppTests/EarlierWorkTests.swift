import GafferAgents
import GafferCore
import Testing

@testable import GafferApp

/// When the application-code step goes on from what the task's branch holds, and when it starts again from the
/// blueprint because the branch's copies of the blueprint's files are out of date.
struct EarlierWorkTests {
    static func task(entities: String? = nil, behaviour: String? = "list orders by customer") -> AwsTask {
        var parameters: [String: ParameterValue] = ["applicationName": .string("shop")]
        if let entities { parameters["entities"] = .string(entities) }
        if let behaviour { parameters[PlanRules.behaviourKey] = .string(behaviour) }
        return AwsTask(kind: .create, resource: .application(.serverlessAPI), region: "us-east-1", parameters: parameters, issue: 5)
    }

    @Test func theStepGoesOnFromTheBranchOnlyForTheSameBlueprint() {
        let current = Self.task()
        #expect(TaskPublisher.goesOnFromTheBranch(previous: current, current: current), "a /retry of the same task")
        #expect(
            TaskPublisher.goesOnFromTheBranch(previous: Self.task(behaviour: "list orders"), current: current),
            "the behaviour reworded: the same blueprint"
        )
        #expect(!TaskPublisher.goesOnFromTheBranch(previous: nil, current: current), "no plan yet: nothing on the branch to go on from")
        #expect(
            !TaskPublisher.goesOnFromTheBranch(previous: Self.task(entities: "orders: id, customer"), current: current),
            "other entities: the branch's generated files are out of date"
        )
        #expect(!TaskPublisher.goesOnFromTheBranch(previous: current, current: Self.task(behaviour: nil)), "no code asked for")
    }
}
