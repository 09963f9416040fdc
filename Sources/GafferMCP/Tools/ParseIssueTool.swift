import GafferCore

/// `parse_issue`: what Gaffer would understand from an issue, or what it would ask to be fixed.
struct ParseIssueTool: GafferTool {
    let name = "parse_issue"
    let description =
        "Read a GitHub issue as Gaffer does and return the typed AWS task it asks for, or the problems that stop it, each with the rule and an example."
    let readOnly = true
    let parser: IssueParser

    var inputSchema: JSONValue {
        ToolSchema.object(
            [
                "title": ToolSchema.string("the issue's title"),
                "body": ToolSchema.string("the issue's body (Markdown, an issue form's sections, or key: value lines)"),
                "labels": .object(["type": "array", "items": .object(["type": "string"])]),
            ],
            required: ["title"]
        )
    }

    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue {
        let labels: [String] = if case .array(let items)? = arguments["labels"] { items.compactMap(\.stringValue) } else { [] }
        let issue = IssueInput(title: try arguments.string("title"), body: arguments["body"]?.stringValue ?? "", labels: labels)
        return try ToolSchema.json(parser.parse(issue))
    }
}
