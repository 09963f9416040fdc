import GafferCore

/// Renders a task's stacks from `templates/cloudformation/<resource>.yaml` and `templates/monitoring/<resource>.yaml`,
/// or an application's from its blueprint.
struct StackRenderer {
    let context: AgentContext

    var naming: StackNaming { context.stack }

    func mainTemplateName() throws -> String {
        guard let resource = context.task.resource else { throw AgentError("the task names no resource, so there is no stack to write") }
        let name = "cloudformation/\(resource.name)"
        guard context.templates.has(name) else {
            throw AgentError("there is no template for \(resource.displayName): add templates/cloudformation/\(resource.name).yaml")
        }
        return name
    }

    /// The main stack, with the changes other agents asked of the infrastructure agent; an
    /// application's from its blueprint.
    func main() throws -> String {
        if let blueprint = try ApplicationBlueprint(context: context) { return try blueprint.template() }
        let name = try mainTemplateName()
        return try context.templates.render(
            name,
            TemplateContext.make(
                task: context.task,
                template: name,
                library: context.templates,
                stackName: naming.name,
                repository: context.plan.repository,
                agent: .infrastructure,
                changes: context.changes(for: .infrastructure)
            )
        )
    }

    /// The alarms' stack, or nil when no alarms suit the resource.
    func monitoring() throws -> String? {
        if let blueprint = try ApplicationBlueprint(context: context) { return try blueprint.monitoring() }
        guard let resource = context.task.resource else { return nil }
        let name = "monitoring/\(resource.name)"
        guard context.templates.has(name) else { return nil }
        return try context.templates.render(
            name,
            TemplateContext.make(
                task: context.task,
                template: name,
                library: context.templates,
                stackName: naming.monitoringName,
                mainStack: naming.name,
                repository: context.plan.repository,
                agent: .monitoring
            )
        )
    }
}
