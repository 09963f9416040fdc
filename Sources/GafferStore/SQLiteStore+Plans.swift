import Foundation
import GRDB
import GafferCore

extension SQLiteStore: PlanStore {
    public func savePlan(_ plan: Plan) async throws {
        try await savePlans([plan])
    }

    /// Saves many plans in one transaction (an import, a benchmark's data).
    public func savePlans(_ plans: [Plan]) async throws {
        let rows = try plans.map(Self.rows)
        try await writer.write { db in
            for row in rows { try row(db) }
        }
    }

    /// The statements that save a plan, encoded before the write so the writer's lock is held only for the SQL.
    private static func rows(_ plan: Plan) throws -> @Sendable (Database) throws -> Void {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // The plan row keeps what is not in the other tables; steps, messages and gaps have their own rows.
        var header = plan
        header.steps = []
        header.messages = []
        header.gaps = []
        let planData = try encoder.encode(header)
        let steps = try plan.steps.map { try encoder.encode($0) }
        let messages = try plan.messages.map { try encoder.encode($0) }
        return { db in
            try db.execute(
                sql: """
                    INSERT INTO plans (id, issue, repository, state, created_at, updated_at, plan) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, plan = excluded.plan
                    """,
                arguments: [
                    plan.id, plan.task.issue, plan.repository, plan.state.rawValue, plan.createdAt.storeSeconds, plan.updatedAt.storeSeconds,
                    planData,
                ]
            )
            for (position, step) in plan.steps.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO plan_steps (plan_id, position, id, agent, state, attempts, started_at, ended_at, step) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(plan_id, id) DO UPDATE SET position = excluded.position, state = excluded.state, attempts = excluded.attempts,
                            started_at = excluded.started_at, ended_at = excluded.ended_at, step = excluded.step
                        """,
                    arguments: [
                        plan.id, position, step.id, step.agent.rawValue, step.state.rawValue, step.attempts,
                        step.startedAt?.storeSeconds, step.endedAt?.storeSeconds, steps[position],
                    ]
                )
            }
            // Messages and gaps only grow: append the ones not yet stored.
            let storedMessages = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agent_messages WHERE plan_id = ?", arguments: [plan.id]) ?? 0
            for (position, message) in plan.messages.enumerated().dropFirst(storedMessages) {
                try db.execute(
                    sql: "INSERT INTO agent_messages (plan_id, position, sender, recipient, intent, at, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        plan.id, position, message.sender.rawValue, message.recipient?.rawValue, message.intent.rawValue,
                        message.at.storeSeconds, messages[position],
                    ]
                )
            }
            let storedGaps = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM capability_gaps WHERE plan_id = ?", arguments: [plan.id]) ?? 0
            for (position, gap) in plan.gaps.enumerated().dropFirst(storedGaps) {
                try db.execute(
                    sql: "INSERT INTO capability_gaps (plan_id, position, agent, asked, lacking) VALUES (?, ?, ?, ?, ?)",
                    arguments: [plan.id, position, gap.agent.rawValue, gap.asked, gap.lacking]
                )
            }
        }
    }

    public func latestPlan(repository: String, issue: Int) async throws -> Plan? {
        let id = try await pool.read { db in
            try String.fetchOne(
                db,
                sql: "SELECT id FROM plans WHERE repository = ? COLLATE NOCASE AND issue = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
                arguments: [repository, issue]
            )
        }
        guard let id else { return nil }
        return try await plan(id: id)
    }

    public func plan(id: String) async throws -> Plan? {
        let decoder = JSONDecoder()
        return try await pool.read { db -> Plan? in
            guard let data = try Data.fetchOne(db, sql: "SELECT plan FROM plans WHERE id = ?", arguments: [id]) else { return nil }
            var plan = try decoder.decode(Plan.self, from: data)
            plan.steps = try Data.fetchAll(db, sql: "SELECT step FROM plan_steps WHERE plan_id = ? ORDER BY position", arguments: [id])
                .map { try decoder.decode(Step.self, from: $0) }
            plan.messages = try Data.fetchAll(db, sql: "SELECT message FROM agent_messages WHERE plan_id = ? ORDER BY position", arguments: [id])
                .map { try decoder.decode(AgentMessage.self, from: $0) }
            plan.gaps = try Row.fetchAll(
                db,
                sql: "SELECT agent, asked, lacking FROM capability_gaps WHERE plan_id = ? ORDER BY position",
                arguments: [id]
            )
            .map { row in CapabilityGap(agent: AgentRole(rawValue: row[0]) ?? .infrastructure, asked: row[1], lacking: row[2]) }
            return plan
        }
    }
}
