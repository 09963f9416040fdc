import Foundation
import GRDB
import GafferCore

/// The knowledge base: learnings in their own table; decisions, deployments and capability gaps
/// read from where they are already kept.
extension SQLiteStore: KnowledgeStore {
    private static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(value)
    }

    public func recordLearning(_ learning: Learning) async throws {
        var redacted = learning
        redacted.reason = redactor.redact(learning.reason)
        let data = try Self.encode(redacted)
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO learnings (plan_id, stack, repository, issue, resource_type, fixed, learning) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(plan_id, stack) DO NOTHING
                    """,
                arguments: [
                    learning.planID, learning.stack, learning.repository.lowercased(), learning.issue, learning.resourceType,
                    learning.fix == nil ? 0 : 1,
                    data,
                ]
            )
        }
    }

    public func resolveLearnings(repository: String, issue: Int, fix: String, at: Date) async throws -> Int {
        try await writer.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT position, learning FROM learnings WHERE repository = ? AND issue = ? AND fixed = 0",
                arguments: [repository.lowercased(), issue]
            )
            for row in rows {
                var learning = try JSONDecoder().decode(Learning.self, from: row["learning"] as Data)
                learning.fix = fix
                learning.fixedAt = at
                try db.execute(
                    sql: "UPDATE learnings SET fixed = 1, learning = ? WHERE position = ?",
                    arguments: [try Self.encode(learning), row["position"] as Int64]
                )
            }
            return rows.count
        }
    }

    public func learnings(resourceTypes: [String]) async throws -> [Learning] {
        guard !resourceTypes.isEmpty else { return [] }
        return try await pool.read { db in
            try Data.fetchAll(
                db,
                sql:
                    "SELECT learning FROM learnings WHERE resource_type IN (\(resourceTypes.map { _ in "?" }.joined(separator: ", "))) ORDER BY position DESC",
                arguments: StatementArguments(resourceTypes)
            ).map { try JSONDecoder().decode(Learning.self, from: $0) }
        }
    }

    public func knowledge(kind: KnowledgeKind?, matching text: String?, limit: Int) async throws -> [KnowledgeEntry] {
        let kinds = kind.map { [$0] } ?? KnowledgeKind.allCases
        let decoder = JSONDecoder()
        var entries: [KnowledgeEntry] = try await pool.read { db in
            var entries: [KnowledgeEntry] = []
            if kinds.contains(.decision) {
                for data in try Data.fetchAll(db, sql: "SELECT decision FROM decisions") {
                    let decision = try decoder.decode(Decision.self, from: data)
                    let verb = decision.verdict == .approve ? "approved" : "denied"
                    entries.append(
                        KnowledgeEntry(
                            kind: .decision,
                            at: decision.at,
                            repository: decision.repository,
                            reference: "#\(decision.pullRequest)",
                            summary: "\(decision.by) \(verb) \(decision.subject ?? "plan \(decision.planID.prefix(8))")"
                                + (decision.reason.map { ": \($0)" } ?? "")
                        )
                    )
                }
            }
            if kinds.contains(.deployment) {
                for data in try Data.fetchAll(db, sql: "SELECT deployment FROM deployments") {
                    let deployment = try decoder.decode(Deployment.self, from: data)
                    let seconds = Int(deployment.endedAt.timeIntervalSince(deployment.startedAt).rounded())
                    entries.append(
                        KnowledgeEntry(
                            kind: .deployment,
                            at: deployment.endedAt,
                            repository: deployment.repository,
                            reference: "#\(deployment.pullRequest)",
                            summary: "\(deployment.stack.name) in \(deployment.stack.account)/\(deployment.stack.region): \(deployment.status)"
                                + " (\(deployment.succeeded ? "succeeded" : "failed"), \(seconds) s, by \(deployment.by))"
                        )
                    )
                }
            }
            if kinds.contains(.gap) {
                let rows = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT g.agent, g.asked, g.lacking, p.repository, p.issue, p.created_at FROM capability_gaps g JOIN plans p ON p.id = g.plan_id"
                )
                for row in rows {
                    let agent: String = row["agent"]
                    let asked: String = row["asked"]
                    let lacking: String = row["lacking"]
                    entries.append(
                        KnowledgeEntry(
                            kind: .gap,
                            at: Date(storeSeconds: row["created_at"]),
                            repository: row["repository"] ?? "",
                            reference: (row["issue"] as Int?).map { "#\($0)" } ?? "-",
                            summary: "the \(agent) agent cannot \(asked) yet: \(lacking)"
                        )
                    )
                }
            }
            if kinds.contains(.message) {
                let rows = try Row.fetchAll(
                    db,
                    sql: "SELECT m.message, p.repository, p.issue FROM agent_messages m JOIN plans p ON p.id = m.plan_id"
                )
                for row in rows {
                    let message = try decoder.decode(AgentMessage.self, from: row["message"] as Data)
                    let to = message.recipient.map { " to \($0.rawValue)" } ?? ""
                    entries.append(
                        KnowledgeEntry(
                            kind: .message,
                            at: message.at,
                            repository: row["repository"] ?? "",
                            reference: (row["issue"] as Int?).map { "#\($0)" } ?? "-",
                            summary: "\(message.sender.rawValue)\(to) (\(message.intent.rawValue)): \(message.content)"
                        )
                    )
                }
            }
            if kinds.contains(.learning) {
                for data in try Data.fetchAll(db, sql: "SELECT learning FROM learnings") {
                    let learning = try decoder.decode(Learning.self, from: data)
                    entries.append(
                        KnowledgeEntry(
                            kind: .learning,
                            at: learning.fixedAt ?? learning.failedAt,
                            repository: learning.repository,
                            reference: "#\(learning.issue)",
                            summary: learning.lesson
                        )
                    )
                }
            }
            return entries
        }
        if let text, !text.isEmpty {
            entries = entries.filter { "\($0.repository) \($0.reference) \($0.summary)".localizedCaseInsensitiveContains(text) }
        }
        return Array(entries.sorted { $0.at > $1.at }.prefix(limit))
    }
}
