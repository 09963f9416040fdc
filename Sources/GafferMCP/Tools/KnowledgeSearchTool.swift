import GafferCore

/// `search_knowledge`: Gaffer's knowledge base (decisions, deployments, capability gaps, learnings, agent messages).
struct KnowledgeSearchTool: GafferTool {
    let name = "search_knowledge"
    let description =
        "Search Gaffer's knowledge base: approvals and denials, deployments, what the agents could not do, what failed before and what fixed it, and the agents' messages. Newest first."
    let readOnly = true
    let knowledge: any KnowledgeStore

    var inputSchema: JSONValue {
        ToolSchema.object([
            "text": ToolSchema.string("only entries containing this text (any case)"),
            "kind": .object(["type": "string", "enum": .array(KnowledgeKind.allCases.map { .string($0.rawValue) })]),
            "limit": ToolSchema.integer("at most this many entries, 1 to 500 (default 50)"),
        ])
    }

    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue {
        var kind: KnowledgeKind?
        if let name = arguments["kind"]?.stringValue {
            guard let known = KnowledgeKind(rawValue: name) else {
                throw ToolInputError("`kind` must be one of \(KnowledgeKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kind = known
        }
        let limit = try arguments.integer("limit", in: 1...500, default: 50)
        return try ToolSchema.json(try await knowledge.knowledge(kind: kind, matching: arguments["text"]?.stringValue, limit: limit))
    }
}
