import Foundation
import GafferCore
import PostgresNIO

/// The knowledge base, as in `SQLiteStore`: learnings in their own table; decisions, deployments and
/// capability gaps read from where they are already kept.
extension PostgresStore: KnowledgeStore {
    public func recordLearning(_ learning: Learning) async throws {
        var redacted = learning
        redacted.reason = redactor.redact(learning.reason)
        let data = try Self.encode(redacted)
        _ = try await rows(
            """
            INSERT INTO learnings (plan_id, stack, repository, issue, resource_type, fixed, learning)
            VALUES (\(learning.planID), \(learning.stack), \(learning.repository.lowercased()), \(learning.issue), \(learning.resourceType),
                    \(learning.fix != nil), \(data))
            ON CONFLICT (plan_id, stack) DO NOTHING
            """
        )
    }

    public func resolveLearnings(repository: String, issue: Int, fix: String, at: Date) async throws -> Int {
        try await transaction { connection in
            let open = try await connection.rows(
                """
                SELECT position, learning FROM learnings WHERE repository = \(repository.lowercased()) AND issue = \(issue) AND NOT fixed
                FOR UPDATE
                """,
                logger: self.logger
            )
            for row in open {
                var learning = try JSONDecoder().decode(Learning.self, from: try row.decode(Data.self, column: 1))
                learning.fix = fix
                learning.fixedAt = at
                _ = try await connection.rows(
                    "UPDATE learnings SET fixed = true, learning = \(try Self.encode(learning)) WHERE position = \(try row.decode(Int64.self, column: 0))",
                    logger: self.logger
                )
            }
            return open.count
        }
    }

    public func learnings(resourceTypes: [String]) async throws -> [Learning] {
        guard !resourceTypes.isEmpty else { return [] }
        return try Self.decoded(
            Learning.self,
            try await rows("SELECT learning FROM learnings WHERE resource_type = ANY(\(resourceTypes)) ORDER BY position DESC")
        )
    }

    public func knowledge(kind: KnowledgeKind?, matching text: String?, limit: Int) async throws -> [KnowledgeEntry] {
        let kinds = kind.map { [$0] } ?? KnowledgeKind.allCases
        let decoder = JSONDecoder()
        var entries: [KnowledgeEntry] = []
        if kinds.contains(.decision) {
            for decision in try Self.decoded(Decision.self, try await rows("SELECT decision FROM decisions")) {
                entries.append(KnowledgeEntry(decision))
            }
        }
        if kinds.contains(.deployment) {
            for deployment in try Self.decoded(Deployment.self, try await rows("SELECT deployment FROM deployments")) {
                entries.append(KnowledgeEntry(deployment))
            }
        }
        if kinds.contains(.gap) {
            let found = try await rows(
                "SELECT g.agent, g.asked, g.lacking, p.repository, p.issue, p.created_at FROM capability_gaps g JOIN plans p ON p.id = g.plan_id"
            )
            for row in found {
                entries.append(
                    KnowledgeEntry(
                        gapOf: try row.decode(column: 0),
                        asked: try row.decode(column: 1),
                        lacking: try row.decode(column: 2),
                        repository: try row.decode(String?.self, column: 3),
                        issue: try row.decode(Int?.self, column: 4),
                        at: Date(storeSeconds: try row.decode(column: 5))
                    )
                )
            }
        }
        if kinds.contains(.message) {
            for row in try await rows("SELECT m.message, p.repository, p.issue FROM agent_messages m JOIN plans p ON p.id = m.plan_id") {
                let message = try decoder.decode(AgentMessage.self, from: try row.decode(Data.self, column: 0))
                entries.append(
                    KnowledgeEntry(message, repository: try row.decode(String?.self, column: 1), issue: try row.decode(Int?.self, column: 2))
                )
            }
        }
        if kinds.contains(.learning) {
            for learning in try Self.decoded(Learning.self, try await rows("SELECT learning FROM learnings")) {
                entries.append(KnowledgeEntry(learning))
            }
        }
        return KnowledgeEntry.found(entries, matching: text, limit: limit)
    }
}
