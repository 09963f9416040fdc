import GafferCore

/// `registry`: the AWS resources Gaffer manages, with their stack, owner agent, cost and health.
struct RegistryTool: GafferTool {
    let name = "registry"
    let description =
        "List the AWS resources Gaffer created and manages: ARN, type, stack, the agent that owns it, cost per day, health, and the issue it came from."
    let readOnly = true
    let registry: any RegistryReading

    var inputSchema: JSONValue {
        ToolSchema.object(["repository": ToolSchema.string("only this repository's resources (owner/name)")])
    }

    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue {
        var resources = try await registry.registeredResources()
        if let repository = arguments["repository"]?.stringValue {
            resources = resources.filter { $0.repository.caseInsensitiveCompare(repository) == .orderedSame }
        }
        return try ToolSchema.json(resources)
    }
}
