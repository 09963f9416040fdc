import GafferCore

/// Writes CloudWatch alarms suited to the resource (`templates/monitoring/<resource>.yaml`) as a
/// stack beside the main one, all sent to one encrypted SNS topic.
public struct MonitoringAgent: Agent {
    public let role = AgentRole.monitoring
    public let intents: Set<StepIntent> = [.writeAlarms, .writeReport]

    public init() {}

    public func perform(_ step: Step, context: AgentContext) async throws -> StepOutput {
        guard step.intent == .writeAlarms else {
            let report = try await HealthCheck(sources: try context.reportSources(for: role), clock: context.clock).run(context.task)
            return StepOutput(notes: [ReportSummary.line(report)], report: report)
        }
        let renderer = StackRenderer(context: context)
        guard let body = try renderer.monitoring() else {
            return StepOutput(notes: ["No alarms suit \(context.task.resource?.displayName ?? "this task"): nothing to watch."], nothingToDo: true)
        }
        var files = FileSet()
        files.write(renderer.naming.monitoringPath, body)
        let alarms = try CloudFormationDocument.reading(path: renderer.naming.monitoringPath, text: body).resources(ofType: "AWS::CloudWatch::Alarm")
        let stack = StackRef(
            name: renderer.naming.monitoringName,
            template: renderer.naming.monitoringPath,
            region: context.task.region,
            account: context.task.account
        )
        return StepOutput(
            files: files,
            messages: [
                AgentMessage(
                    sender: role,
                    recipient: .security,
                    intent: .provideResult,
                    content: "wrote \(alarms.count) alarms in \(stack.template)",
                    at: context.clock.now()
                )
            ],
            stacks: [stack],
            notes: ["Alarms: \(alarms.map(\.logicalID).joined(separator: ", ")), sent to the stack's SNS topic."]
        )
    }
}
