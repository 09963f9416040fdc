import GafferCore

/// Reviews every template the plan wrote with `SecurityRules.all`. A high or critical finding
/// makes the plan need approval. Where a task parameter would clear a finding and the issue did
/// not set that parameter, it asks the infrastructure agent for the change instead; where the
/// issue asked for it on purpose, the finding is kept and marked as requested.
public struct SecurityAgent: Agent {
    public let role = AgentRole.security
    public let intents: Set<StepIntent> = [.reviewSecurity, .writeReport]
    let rules: [any SecurityRule]

    public init(rules: [any SecurityRule] = SecurityRules.all) {
        self.rules = rules
    }

    public func perform(_ step: Step, context: AgentContext) async throws -> StepOutput {
        guard step.intent == .reviewSecurity else {
            let report = try await SecurityAudit(sources: try context.reportSources(for: role), clock: context.clock).run(context.task)
            return StepOutput(notes: [ReportSummary.line(report)], report: report)
        }
        let findings = try review(context.plan.files, task: context.task)
        var changes: [String: String] = [:]
        for finding in findings.hits where !finding.requested {
            if let fix = finding.parameterFix { changes[fix.key] = fix.value }
        }
        if !changes.isEmpty {
            let summary = changes.keys.sorted().map { "\($0): \(changes[$0] ?? "")" }.joined(separator: ", ")
            return StepOutput(
                findings: findings.all,
                messages: [
                    AgentMessage(
                        sender: role,
                        recipient: .infrastructure,
                        intent: .requestChange,
                        content:
                            "please render again with \(summary) to clear \(findings.hits.filter { $0.parameterFix != nil }.map(\.finding.rule).joined(separator: ", "))",
                        changes: changes,
                        at: context.clock.now()
                    )
                ]
            )
        }
        let serious = findings.all.filter { $0.severity >= .high }
        return StepOutput(
            findings: findings.all,
            messages: [
                AgentMessage(
                    sender: role,
                    recipient: .deployment,
                    intent: .provideResult,
                    content: "\(findings.all.count) findings, \(serious.count) high or critical",
                    at: context.clock.now()
                )
            ],
            approvalReasons: serious.map { finding in
                "\(finding.severity.rawValue) security finding \(finding.rule) at \(finding.file):\(finding.line)\(finding.requested ? " (asked for in the issue)" : ""): \(finding.message)"
            }
        )
    }

    public struct Review: Sendable {
        public struct Hit: Sendable {
            let finding: Finding
            let parameterFix: (key: String, value: String)?
            var requested: Bool { finding.requested }
        }

        let hits: [Hit]
        public var all: [Finding] { hits.map(\.finding) }
    }

    /// Every finding in the file set's templates, in file and line order.
    public func review(_ files: FileSet, task: AwsTask) throws -> Review {
        var hits: [Review.Hit] = []
        for case .write(let path, let contents, _) in files.changes where StackNaming.isTemplatePath(path) {
            let document = try CloudFormationDocument.reading(path: path, text: String(decoding: contents, as: UTF8.self))
            for rule in rules {
                for hit in rule.check(document) {
                    let requested = hit.parameterFix.flatMap { fix in task.parameters[fix.key].map { $0.description != fix.value } } ?? false
                    hits.append(
                        Review.Hit(
                            finding: Finding(
                                severity: hit.severity,
                                rule: rule.id,
                                file: path,
                                line: hit.line,
                                resource: hit.resource.logicalID,
                                message: hit.message,
                                fix: hit.fix,
                                requested: requested
                            ),
                            parameterFix: hit.parameterFix
                        )
                    )
                }
            }
        }
        return Review(hits: hits.sorted { ($0.finding.file, $0.finding.line, $0.finding.rule) < ($1.finding.file, $1.finding.line, $1.finding.rule) })
    }
}
