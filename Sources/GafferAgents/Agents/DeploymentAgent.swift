import GafferCore
import GafferModels

/// Writes what the pull request carries besides the templates: the pipeline that checks it
/// (`infra/<stack>/buildspec.yml`) and a README saying what will be created, why, what it costs,
/// what the security review found and how to change it.
public struct DeploymentAgent: Agent {
    public let role = AgentRole.deployment
    public let intents: Set<StepIntent> = [.writePipeline, .writeApplicationCode]

    public init() {}

    public func perform(_ step: Step, context: AgentContext) async throws -> StepOutput {
        if step.intent == .writeApplicationCode { return try await writeApplicationCode(step, context: context) }
        let naming = context.stack
        let plan = context.plan
        let isDelete = context.task.kind == .delete
        let templates = plan.files.changes.compactMap { change -> String? in
            guard case .write(let path, _, _) = change, path.hasPrefix("\(naming.folder)/"), StackNaming.isTemplatePath(path) else { return nil }
            return path
        }
        var files = FileSet()
        if !isDelete, let blueprint = try ApplicationBlueprint(context: context) {
            // An application's pipelines come with its code: install, lint, its own tests (and the release).
            files = try blueprint.code()
            files.write(
                naming.readmePath,
                try context.templates.render("agents/stack-readme", readmeContext(context, templates: templates, isDelete: false))
            )
            return StepOutput(
                files: files,
                notes: [
                    "The application's code, tests and Dockerfile or packaging are in \(naming.folder).",
                    "The pull request's pipeline is \(naming.buildspecPath): it lints the templates and the code and runs the application's tests.",
                    "\(naming.folder)/buildspec-release.yml releases it; it needs AWS CodeBuild\(blueprint.kind.runsInContainers ? " with Docker" : "").",
                ]
            )
        }
        files.write(
            naming.buildspecPath,
            try context.templates.render(
                "pipeline/buildspec",
                [
                    "stackName": naming.name, "folder": naming.folder, "templates": templates, "tests": [String](),
                ]
            )
        )
        files.write(
            naming.readmePath,
            try context.templates.render("agents/stack-readme", readmeContext(context, templates: templates, isDelete: isDelete))
        )
        return StepOutput(files: files, notes: ["The pull request's pipeline is \(naming.buildspecPath)."])
    }

    /// The code the issue's `behaviour` asks for, written by a model on the blueprint's tree (or on what the branch holds).
    private func writeApplicationCode(_ step: Step, context: AgentContext) async throws -> StepOutput {
        let task = context.task
        guard let behaviour = task.parameters[PlanRules.behaviourKey]?.stringValue, let kind = task.resource?.applicationKind else {
            return StepOutput(nothingToDo: true)
        }
        guard let coder = context.coder else {
            throw CapabilityGapError(
                CapabilityGap(
                    agent: role,
                    asked: "write the code the issue asks for beyond the blueprint",
                    lacking: "no model is configured to write it: set agent_models: deployment=PROVIDER/MODEL with its key and price, "
                        + "or take `behaviour` out of the issue"
                )
            )
        }
        var tree = CodeTree(folder: context.stack.folder, blueprint: context.plan.files)
        if let earlier = context.plan.earlierWork { tree.carry(earlier) }
        let job = ApplicationCoder.Job(
            behaviour: behaviour,
            application: "\(kind.rawValue) application (\(kind.runsInContainers ? "FastAPI in containers" : "Lambda functions behind API Gateway"))",
            tree: tree,
            others: context.plan.files,
            scope: ModelScope(purpose: "application-code", repository: context.plan.repository ?? "local", issue: task.issue ?? 0, step: step.id),
            // Within the plan's limit per step, so the coordinator never cancels the loop and loses what it wrote.
            maxSeconds: min(coder.maxSeconds, context.plan.limits.stepTimeoutSeconds * 0.9)
        )
        return try await coder.write(job)
    }

    private func readmeContext(_ context: AgentContext, templates: [String], isDelete: Bool) throws -> [String: Any] {
        let plan = context.plan
        let task = context.task
        var resources: [[String: String]] = []
        for path in templates {
            guard let text = plan.files.text(at: path) else { continue }
            let stack = plan.stacks.first { $0.template == path }?.name ?? path
            for resource in try CloudFormationDocument.reading(path: path, text: text).resources {
                resources.append(["stack": stack, "logicalID": resource.logicalID, "type": resource.type])
            }
        }
        var values: [String: Any] = [
            "stackName": context.stack.name, "folder": context.stack.folder, "isDelete": isDelete,
            "issue": task.issue.map { issue in plan.repository.map { "\($0)#\(issue)" } ?? "issue #\(issue)" } ?? "the task",
            "summary":
                "\(task.kind.displayName.lowercased()) the \(task.resource?.displayName ?? "resources") \(task.resourceName.map { "`\($0)`" } ?? "")",
            "where": [task.account.map { "account \($0)" }, task.region].compactMap { $0 }.joined(separator: ", "),
            "resources": resources, "notes": plan.notes.map(MarkdownText.plain),
            "findings": plan.findings.map { finding -> [String: Any] in
                [
                    "severity": finding.severity.rawValue, "rule": finding.rule, "file": finding.file, "line": String(finding.line),
                    "message": MarkdownText.plain(finding.message), "fix": MarkdownText.plain(finding.fix), "requested": finding.requested,
                ]
            },
        ]
        if let estimate = plan.estimate {
            values["estimate"] = [
                "total": CostAgent.format(estimate.monthlyUSD), "source": MarkdownText.plain(estimate.source), "isSaving": estimate.isSaving,
                "lines": estimate.lines.map { line in
                    ["resource": line.resource, "type": line.type, "usd": CostAgent.format(line.monthlyUSD), "basis": MarkdownText.plain(line.basis)]
                },
            ]
        }
        return values
    }
}
