import GafferCore

/// Writes one CloudFormation stack per task from `templates/cloudformation/<resource>.yaml`, or an
/// application's from its blueprint, and for a delete says what deleting the stack removes and
/// what it keeps.
public struct InfrastructureAgent: Agent {
    public let role = AgentRole.infrastructure
    public let intents: Set<StepIntent> = [.writeStack, .describeDeletion, .buildApplication, .writeReport]

    public init() {}

    /// Runtimes whose placeholder code can be written inline; others need their code uploaded first.
    static let inlineRuntimeFamilies = ["python", "nodejs"]

    /// Resource types whose deletion loses data.
    static let dataBearingTypes: Set<String> = [
        "AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::EFS::FileSystem",
        "AWS::EC2::Volume", "AWS::Logs::LogGroup",
    ]

    public func perform(_ step: Step, context: AgentContext) async throws -> StepOutput {
        let task = context.task
        switch step.intent {
        case .writeStack, .buildApplication:
            if task.resource == .application(.fullstack), let domain = task.parameters["domainName"]?.stringValue,
                (task.region ?? "us-east-1") != "us-east-1"
            {
                throw CapabilityGapError(
                    CapabilityGap(
                        agent: role,
                        asked: "serve the fullstack application on \(domain) from \(task.region ?? "its region")",
                        lacking:
                            "CloudFront takes certificates from us-east-1 only, and the stack makes the certificate; deploy it in us-east-1, or without a domainName"
                    )
                )
            }
            if task.resource == .lambdaFunction, let runtime = task.parameters["runtime"]?.stringValue,
                !Self.inlineRuntimeFamilies.contains(where: runtime.hasPrefix)
            {
                throw CapabilityGapError(
                    CapabilityGap(
                        agent: role,
                        asked: "write a Lambda function with the \(runtime) runtime",
                        lacking:
                            "Gaffer writes placeholder code only for Python and Node.js runtimes; use python3.13 or nodejs22.x, or upload the code yourself"
                    )
                )
            }
            let renderer = StackRenderer(context: context)
            let body = try renderer.main()
            var files = FileSet()
            files.write(renderer.naming.templatePath, body)
            let stack = StackRef(name: renderer.naming.name, template: renderer.naming.templatePath, region: task.region, account: task.account)
            return StepOutput(
                files: files,
                messages: [
                    AgentMessage(
                        sender: role,
                        recipient: .security,
                        intent: .provideResult,
                        content: "wrote the stack \(stack.name) (\(stack.template))",
                        at: context.clock.now()
                    )
                ],
                stacks: [stack],
                notes: ["Writes the stack \(stack.name) in \(task.region ?? "the default region")."]
            )
        case .describeDeletion:
            return try describeDeletion(context)
        case .writeReport:
            let report = try await Discovery(sources: try context.reportSources(for: role), clock: context.clock).run(task)
            return StepOutput(notes: [ReportSummary.line(report)], report: report)
        default:
            throw AgentError("the infrastructure agent does not do \(step.intent.rawValue)")
        }
    }

    private func describeDeletion(_ context: AgentContext) throws -> StepOutput {
        let renderer = StackRenderer(context: context)
        let document = try CloudFormationDocument.reading(path: renderer.naming.templatePath, text: renderer.main())
        var notes = ["Deletes the stack \(renderer.naming.name) and its alarms' stack \(renderer.naming.monitoringName), if there is one."]
        for resource in document.resources {
            let policy = resource.deletionPolicy ?? "Delete"
            let holdsData = Self.dataBearingTypes.contains(resource.type)
            switch (holdsData, policy) {
            case (true, "Retain"):
                notes.append(
                    "\(resource.logicalID) (\(resource.type)) holds data and is kept (DeletionPolicy: Retain); delete it by hand once you no longer need it."
                )
            case (true, "Snapshot"):
                notes.append("\(resource.logicalID) (\(resource.type)) holds data: a final snapshot is taken, then it is deleted.")
            case (true, _):
                notes.append("\(resource.logicalID) (\(resource.type)) holds data and is deleted with everything in it.")
            default:
                notes.append("\(resource.logicalID) (\(resource.type)) is deleted.")
            }
        }
        var files = FileSet()
        files.delete(renderer.naming.templatePath)
        files.delete(renderer.naming.monitoringPath)
        if let blueprint = try ApplicationBlueprint(context: context) {
            // The application's code goes with its stack; its buildspec is rewritten to check the deletion.
            for path in blueprint.codePaths where path != renderer.naming.buildspecPath { files.delete(path) }
            notes.append("Its code, tests and pipelines in \(renderer.naming.folder) are deleted from the repository.")
        }
        let stack = StackRef(
            name: renderer.naming.name,
            template: renderer.naming.templatePath,
            region: context.task.region,
            account: context.task.account
        )
        return StepOutput(files: files, stacks: [stack], notes: notes)
    }
}
