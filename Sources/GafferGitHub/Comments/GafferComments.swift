import GafferCore

/// The comments Gaffer writes about tasks and commands, each from its template.
public struct GafferComments: Sendable {
    public let templates: CommentTemplates

    public init(templates: CommentTemplates) {
        self.templates = templates
    }

    /// What Gaffer made of an issue: the task, or the problems to fix.
    public func issueParse(_ result: IssueParseResult) throws -> String {
        let warnings = result.warnings.map { ["field": MarkdownText.plain($0.field), "message": MarkdownText.plain($0.message)] }
        switch result {
        case .task(let task, _):
            let identifier = task.resource?.schema.identifier
            let parameters = task.parameters.keys.sorted().filter { $0 != identifier }.map { key in
                ["key": MarkdownText.plain(key), "value": MarkdownText.code(task.parameters[key]?.description ?? "")]
            }
            var context: [String: Any] = [
                "kind": MarkdownText.plain(task.kind.displayName),
                "resource": MarkdownText.plain(task.resource?.displayName ?? "all resources"),
                "parameters": parameters, "warnings": warnings, "hasWarnings": !warnings.isEmpty,
            ]
            if let name = task.resourceName { context["name"] = MarkdownText.code(name) }
            if let region = task.region { context["region"] = MarkdownText.plain(region) }
            if let account = task.account { context["account"] = MarkdownText.plain(account) }
            if !task.tags.isEmpty {
                context["tags"] = task.tags.keys.sorted().map { MarkdownText.code("\($0): \(task.tags[$0] ?? "")") }.joined(separator: ", ")
            }
            if !task.dependsOn.isEmpty { context["dependsOn"] = task.dependsOn.map { "#\($0)" }.joined(separator: ", ") }
            return try templates.render("task-understood", context)
        case .problems(let problems, _):
            let rows = problems.map { problem -> [String: Any] in
                var row: [String: Any] = [
                    "field": MarkdownText.code(problem.field), "rule": MarkdownText.plain(problem.rule), "example": MarkdownText.code(problem.example),
                ]
                if let value = problem.value { row["value"] = MarkdownText.code(value) }
                return row
            }
            return try templates.render("task-problems", [
                "problems": rows, "single": problems.count == 1, "warnings": warnings, "hasWarnings": !warnings.isEmpty,
            ])
        }
    }

    /// "did you mean /apply?"
    public func suggestion(given: String, suggested: CommandName) throws -> String {
        try templates.render("command-suggestion", ["given": MarkdownText.code(given), "suggested": MarkdownText.code("/\(suggested.rawValue)")])
    }

    /// Why a command was not run.
    public func denied(actor: String, command: CommandName, reason: String) throws -> String {
        try templates.render("command-denied", [
            "actor": actor, "command": MarkdownText.code("/\(command.rawValue)"), "reason": MarkdownText.plain(reason),
        ])
    }

    public func help(botLogin: String) throws -> String {
        let bot = botLogin.hasSuffix("[bot]") ? String(botLogin.dropLast(5)) : botLogin
        return try templates.render("help", [
            "bot": MarkdownText.plain(bot).replacingOccurrences(of: "@\u{200B}", with: "@"),
            "commands": CommandName.allCases.map { ["usage": MarkdownText.plain($0.usage)] },
        ])
    }
}
