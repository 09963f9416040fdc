import Foundation
import GafferAgents
import GafferCore

/// `plan_task`: the plan Gaffer's agents make for an issue, offline: its steps, files, findings and cost estimate.
struct PlanTaskTool: GafferTool {
    let name = "plan_task"
    let description =
        "Plan an issue's task offline, as Gaffer's agents would: returns the steps, every file they write (CloudFormation, pipeline, README), the security findings and the cost estimate. Nothing is pushed or deployed."
    let readOnly = true
    let parser: IssueParser
    let coordinator: Coordinator

    var inputSchema: JSONValue {
        ToolSchema.object(
            [
                "title": ToolSchema.string("the issue's title"),
                "body": ToolSchema.string("the issue's body"),
                "repository": ToolSchema.string("owner/name, for the plan's names (default acme/infra)"),
            ],
            required: ["title"]
        )
    }

    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue {
        let parsed = parser.parse(IssueInput(title: try arguments.string("title"), body: arguments["body"]?.stringValue ?? ""))
        guard let task = parsed.task else { return try ToolSchema.json(parsed) }
        let plan = try await coordinator.plan(task, repository: arguments["repository"]?.stringValue ?? "acme/infra")
        var report = try JSONValue.decode(Data(try PlanReport.json(plan, parsed: parsed).utf8))
        // The files' contents too: an assistant reviews the template, not only its name.
        if case .object(var fields) = report {
            var contents: [String: JSONValue] = [:]
            for case .write(let path, let data, _) in plan.files.changes { contents[path] = .string(String(decoding: data, as: UTF8.self)) }
            fields["contents"] = .object(contents)
            report = .object(fields)
        }
        return report
    }
}
