import Foundation
import GafferCore

/// A plan as `gaffer plan` prints it: a table for people, or one JSON object.
public enum PlanReport {
    /// `{"task": ..., "plan": {...}, "files": [...]}`; `task` as `gaffer parse-issue` prints it.
    public static func json(_ plan: Plan, parsed: IssueParseResult) throws -> String {
        let taskObject = try JSONSerialization.jsonObject(with: Data(parsed.jsonText().utf8))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        func object<T: Encodable>(_ value: T) throws -> Any {
            try JSONSerialization.jsonObject(with: encoder.encode(value), options: [.fragmentsAllowed])
        }
        let steps: [[String: Any]] = try plan.steps.map { step in
            [
                "id": step.id, "agent": step.agent.rawValue, "intent": step.intent.rawValue, "dependsOn": step.dependsOn,
                "state": step.state.rawValue,
                "attempts": step.attempts, "durationMs": step.duration.map { ($0 * 1000 * 100).rounded() / 100 } ?? NSNull(),
                "files": step.output?.files.changes.map(\.path) ?? [], "findings": try object(step.output?.findings ?? []),
                "error": step.error ?? NSNull(),
            ]
        }
        let planObject: [String: Any] = [
            "id": plan.id, "state": plan.state.rawValue, "steps": steps, "stacks": try object(plan.stacks),
            "requiresApproval": plan.requiresApproval, "approvalReasons": plan.approvalReasons,
            "estimatedMonthlyCostUSD": plan.estimate.map { ($0.monthlyUSD * 100).rounded() / 100 } ?? NSNull(),
            "estimate": try plan.estimate.map { try object($0) } ?? NSNull(),
            "findings": try object(plan.findings), "messages": try object(plan.messages), "gaps": try object(plan.gaps),
            "handoffs": plan.handoffs, "stoppedBy": plan.stoppedBy?.explanation ?? NSNull(), "problems": plan.failureReasons, "notes": plan.notes,
        ]
        let root: [String: Any] = ["task": taskObject, "plan": planObject, "files": plan.files.changes.map(describe)]
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The plan for a person: steps, stacks, findings, estimate, approval and files.
    public static func text(_ plan: Plan, writtenTo folder: String?) -> String {
        let task = plan.task
        var lines: [String] = []
        let what = "\(task.kind.displayName.lowercased()) \(task.resource?.displayName ?? "resources")\(task.resourceName.map { " \($0)" } ?? "")"
        lines.append("Plan for \(what)\(task.region.map { " in \($0)" } ?? ""): \(plan.state.rawValue)")
        lines.append("")
        let rows = plan.steps.map { step in
            [
                step.id, step.agent.rawValue, step.state.rawValue, step.duration.map { String(format: "%.1f ms", $0 * 1000) } ?? "-",
                step.dependsOn.isEmpty ? "-" : step.dependsOn.joined(separator: ", "),
            ]
        }
        lines += table(["step", "agent", "state", "took", "waits for"], rows)
        for step in plan.steps {
            if let error = step.error { lines.append("  \(step.id): \(error)") }
        }
        if !plan.stacks.isEmpty {
            lines.append("")
            lines.append("Stacks:")
            for stack in plan.stacks {
                lines.append("  \(stack.name)  \(stack.template)  \([stack.account, stack.region].compactMap { $0 }.joined(separator: " "))")
            }
        }
        lines.append("")
        if plan.findings.isEmpty {
            lines.append("Findings: none")
        } else {
            lines.append("Findings:")
            for finding in plan.findings {
                lines.append(
                    "  \(finding.severity.rawValue) \(finding.rule) \(finding.file):\(finding.line): \(finding.message)\(finding.requested ? " (asked for)" : "")"
                )
                lines.append("    fix: \(finding.fix)")
            }
        }
        if let estimate = plan.estimate {
            lines.append("Estimate: \(estimate.isSaving ? "saves " : "")$\(String(format: "%.2f", estimate.monthlyUSD)) a month (\(estimate.source))")
            for line in estimate.lines {
                lines.append("  \(line.resource) \(line.type): $\(String(format: "%.2f", line.monthlyUSD)) (\(line.basis))")
            }
        }
        for note in plan.notes where task.kind == .delete { lines.append("  \(note)") }
        if plan.requiresApproval {
            lines.append("Approval: needed")
            lines += plan.approvalReasons.map { "  - \($0)" }
        } else {
            lines.append("Approval: not needed")
        }
        if !plan.gaps.isEmpty {
            lines.append("Capability gaps:")
            lines += plan.gaps.map { "  - \($0.agent.rawValue) agent cannot \($0.asked): \($0.lacking)" }
        }
        if let limit = plan.stoppedBy { lines.append("Stopped: \(limit.explanation)") }
        lines.append("")
        let files = plan.files.changes.map(describe)
        lines.append(folder.map { "Files (written under \($0)):" } ?? "Files (not written; give --out DIR to write them):")
        lines += files.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }

    static func describe(_ change: FileSet.Change) -> String {
        switch change {
        case .write(let path, _, _): path
        case .delete(let path): "delete \(path)"
        }
    }

    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            "  "
                + row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
    }
}
