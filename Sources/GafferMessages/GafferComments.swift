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
                // A value of several lines (an application's entities) reads as one, its lines joined by "; ", as people may write it.
                let value = (task.parameters[key]?.description ?? "").split(separator: "\n").joined(separator: "; ")
                return ["key": MarkdownText.plain(key), "value": MarkdownText.code(value)]
            }
            var context: [String: Any] = [
                "kind": MarkdownText.plain(task.kind.displayName),
                "resource": MarkdownText.plain(task.resource?.displayName ?? "all resources"),
                "parameters": parameters, "warnings": warnings, "hasWarnings": !warnings.isEmpty, "isReport": task.kind.isReport,
            ]
            if let name = task.resourceName { context["name"] = MarkdownText.code(name) }
            if let region = task.region { context["region"] = MarkdownText.plain(region) }
            if let account = task.account { context["account"] = MarkdownText.plain(account) }
            if !task.tags.isEmpty {
                context["tags"] = Self.tagList(task.tags)
            }
            if !task.dependsOn.isEmpty { context["dependsOn"] = task.dependsOn.map { "#\($0)" }.joined(separator: ", ") }
            return try templates.render("task-understood", context)
        case .problems(let problems, _):
            let rows = problems.map { problem -> [String: Any] in
                var row: [String: Any] = [
                    "field": MarkdownText.code(problem.field), "rule": MarkdownText.plain(problem.rule),
                    "example": MarkdownText.code(problem.example),
                ]
                if let value = problem.value { row["value"] = MarkdownText.code(value) }
                return row
            }
            return try templates.render(
                "task-problems",
                [
                    "problems": rows, "single": problems.count == 1, "warnings": warnings, "hasWarnings": !warnings.isEmpty,
                ]
            )
        }
    }

    /// "did you mean /apply?"
    public func suggestion(given: String, suggested: CommandName) throws -> String {
        try templates.render("command-suggestion", ["given": MarkdownText.code(given), "suggested": MarkdownText.code("/\(suggested.rawValue)")])
    }

    /// A known command written wrongly: an unknown flag, an unclosed quote.
    public func problem(command: CommandName, message: String, line: Int) throws -> String {
        try templates.render(
            "command-problem",
            [
                "command": MarkdownText.code("/\(command.rawValue)"), "message": MarkdownText.plain(message), "line": "\(line)",
            ]
        )
    }

    /// At most this many answers go into the reply to one comment.
    public static let maximumAnswers = 10

    /// The one reply to a comment: every near miss, problem and `/help` in it, each once and at most
    /// `maximumAnswers`; nil when the comment needs no answer.
    /// `denials` holds why each refused command was refused, for `actor`.
    /// `answers`: what the runners said, by the line of their command.
    public func reply(
        to items: [CommentItem],
        botLogin: String,
        actor: String = "",
        denials: [CommandName: String] = [:],
        answers byLine: [Int: String] = [:]
    ) throws -> String? {
        var answers: [String] = []
        var seen: Set<String> = []
        var unanswered = 0
        for item in items {
            let answer: String
            switch item {
            case .suggestion(let given, let suggested, _): answer = try suggestion(given: given, suggested: suggested)
            case .problem(let command, let message, let line): answer = try problem(command: command, message: message, line: line)
            case .command(let command):
                if let reason = denials[command.name] {
                    answer = try denied(actor: actor, command: command.name, reason: reason)
                } else if let text = byLine[command.line] {
                    answer = text
                } else if command.name == .help {
                    answer = try help(botLogin: botLogin)
                } else {
                    continue
                }
            }
            let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
            guard seen.insert(trimmed).inserted else { continue }
            if answers.count < Self.maximumAnswers { answers.append(trimmed) } else { unanswered += 1 }
        }
        guard !answers.isEmpty else { return nil }
        var context: [String: Any] = ["answers": answers.map { ["text": $0] }]
        if unanswered > 0 { context["more"] = ["more": "\(unanswered)", "shown": "\(Self.maximumAnswers)"] }
        return try templates.render("command-reply", context)
    }

    /// Why a command was not run.
    public func denied(actor: String, command: CommandName, reason: String) throws -> String {
        try templates.render(
            "command-denied",
            [
                "actor": actor, "command": MarkdownText.code("/\(command.rawValue)"), "reason": MarkdownText.plain(reason),
            ]
        )
    }

    public func help(botLogin: String) throws -> String {
        let bot = botLogin.hasSuffix("[bot]") ? String(botLogin.dropLast(5)) : botLogin
        return try templates.render(
            "help",
            [
                "bot": MarkdownText.plain(bot).replacingOccurrences(of: "@\u{200B}", with: "@"),
                "commands": CommandName.allCases.map { ["usage": MarkdownText.plain($0.usage)] },
            ]
        )
    }
}
