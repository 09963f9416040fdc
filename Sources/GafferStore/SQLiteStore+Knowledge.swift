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
        let entries: [KnowledgeEntry] = try await pool.read { db in
            var entries: [KnowledgeEntry] = []
            if kinds.contains(.decision) {
                for data in try Data.fetchAll(db, sql: "SELECT decision FROM decisions") {
                    entries.append(KnowledgeEntry(try decoder.decode(Decision.self, from: data)))
                }
            }
            if kinds.contains(.deployment) {
                for data in try Data.fetchAll(db, sql: "SELECT deployment FROM deployments") {
                    entries.append(KnowledgeEntry(try decoder.decode(Deployment.self, from: data)))
                }
            }
            if kinds.contains(.gap) {
                let rows = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT g.agent, g.asked, g.lacking, p.repository, p.issue, p.created_at FROM capability_gaps g JOIN plans p ON p.id = g.plan_id"
                )
                for row in rows {
                    entries.append(
                        KnowledgeEntry(
                            gapOf: row["agent"],
                            asked: row["asked"],
                            lacking: row["lacking"],
                            repository: row["repository"],
                            issue: row["issue"],
                            at: Date(storeSeconds: row["created_at"])
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
                    entries.append(KnowledgeEntry(message, repository: row["repository"], issue: row["issue"]))
                }
            }
            if kinds.contains(.learning) {
                for data in try Data.fetchAll(db, sql: "SELECT learning FROM learnings") {
                    entries.append(KnowledgeEntry(try decoder.decode(Learning.self, from: data)))
                }
            }
            return entries
        }
        return KnowledgeEntry.found(entries, matching: text, limit: limit)
    }
}
