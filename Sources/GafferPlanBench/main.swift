import Foundation
import GafferAgents
import GafferCore

// `gaffer-plan-bench [RUNS]`: the whole of `gaffer plan` in process (plan, render, review, price,
// pipeline and README) for a single-resource create, a delete, and each application blueprint
// with three entities (its stack, alarms, code, tests and pipelines); p50 and p99 over RUNS runs.

let runs = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000
let templates = try TemplateLibrary.shipped()
let coordinator = Coordinator(
    agents: try AgentRegistry(StandardAgents.all),
    templates: templates,
    settings: AgentSettings(prices: try PriceTable.shipped(templates)),
    store: InMemoryPlanStore()
)

let parser = IssueParser(options: .init(triggerLabel: "gaffer"))
func task(_ title: String, _ body: String) throws -> AwsTask {
    guard let task = parser.parse(IssueInput(title: title, body: body, labels: ["gaffer"], author: "alice", number: 40)).task else {
        throw AgentError("the benchmark's issue did not parse")
    }
    return task
}

let cases: [(String, AwsTask)] =
    [
        (
            "create lambdaFunction",
            try task(
                "Create a Lambda function",
                """
                ### Function name

                resize-images

                ### Region

                eu-west-1

                ### Settings

                runtime: python3.13
                memorySize: 512
                """
            )
        ),
        ("delete rdsInstance", try task("Delete RDS instance orders-db (eu-west-1)", "")),
    ]
    + (try ApplicationKind.allCases.map { kind in
        (
            "create \(kind.rawValue)",
            try task(
                "Deploy a \(kind.rawValue) application called shop in us-east-1",
                """
                ### Entities

                orders: id, customer, total:number, paid:boolean
                customers: id, name, email
                line_items: id, order_id, quantity:integer
                """
            )
        )
    })

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

print("gaffer plan in process, \(runs) runs each (ms)")
print("case                    p50     p99     max   state")
for (name, task) in cases {
    var times: [Double] = []
    var state = ""
    for run in 0..<runs {
        // Each run another issue, so its templates' text (the gaffer:issue tag) is new to Gaffer:
        // nothing one run read is reused by the next, as in a service planning different issues.
        var task = task
        task.issue = 1_000 + run
        let start = ContinuousClock.now
        let plan = try await coordinator.plan(task, repository: "acme/infra")
        let elapsed = ContinuousClock.now - start
        times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        state = plan.state.rawValue
    }
    times.sort()
    print(
        name.padding(toLength: 22, withPad: " ", startingAt: 0),
        String(format: "%7.2f %7.2f %7.2f", percentile(times, 0.5), percentile(times, 0.99), times.last ?? 0),
        " ",
        state
    )
}
