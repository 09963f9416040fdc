import Foundation
import GafferCore

/// Plans shaped like Gaffer's, in any number: the data the dashboard's benchmark and its tests at scale run on.
public enum DashboardSample {
    static let chain: [(AgentRole, StepIntent)] = [
        (.infrastructure, .writeStack), (.monitoring, .writeAlarms), (.security, .reviewSecurity), (.cost, .estimateCost),
        (.deployment, .writePipeline),
    ]

    /// `count` plans of `stepsEach` steps (a chain through the five agents, then more rounds of it), numbered from
    /// `first`, a minute apart from `start`: most ready, some running, failed or stopped.
    public static func plans(count: Int, from first: Int = 0, stepsEach: Int = 10, repository: String = "acme/web", start: Date) -> [Plan] {
        (first..<first + count).map { number in
            let at = start.addingTimeInterval(Double(number) * 60)
            let task = AwsTask(
                kind: .create,
                resource: .s3Bucket,
                region: "us-east-1",
                parameters: ["bucketName": .string("sample-bucket-\(number)")],
                requester: ["alice", "bob", "carol"][number % 3],
                issue: number + 1
            )
            let state: Plan.State = number % 20 == 0 ? .running : number % 7 == 0 ? .failed : number % 29 == 0 ? .stopped : .ready
            var steps: [Step] = []
            for index in 0..<stepsEach {
                let (agent, intent) = chain[index % chain.count]
                var step = Step(
                    id: index < chain.count ? agent.rawValue : "\(agent.rawValue)-\(index / chain.count + 1)",
                    agent: agent,
                    intent: intent
                )
                if let previous = steps.last { step.dependsOn = [previous.id] }
                step.attempts = 1
                step.startedAt = at.addingTimeInterval(Double(index) * 2)
                let last = index == stepsEach - 1
                switch (state, last) {
                case (.running, true):
                    step.state = .running
                case (.failed, true), (.stopped, true):
                    step.state = .failed
                    step.error = "cfn-lint: E3012 Property Resources/Bucket/Properties/VersioningConfiguration should be of type Object"
                    step.endedAt = step.startedAt?.addingTimeInterval(1.5)
                default:
                    step.state = .succeeded
                    step.endedAt = step.startedAt?.addingTimeInterval(0.5 + Double((number + index) % 7) * 0.25)
                }
                steps.append(step)
            }
            var plan = Plan(id: "sample-\(number)", task: task, repository: repository, steps: steps, limits: PlanLimits(), at: at)
            plan.state = state
            plan.updatedAt = at.addingTimeInterval(Double(stepsEach) * 2)
            plan.messages = [
                AgentMessage(
                    sender: .infrastructure,
                    recipient: .security,
                    intent: .provideResult,
                    content: "stack gaffer-s3-bucket-sample-bucket-\(number)",
                    at: at
                ),
                AgentMessage(sender: .cost, recipient: nil, intent: .provideResult, content: "about $0.12 a month", at: at),
            ]
            return plan
        }
    }
}
