import Foundation
import GafferCore
import PostgresNIO

extension PostgresStore: PlanStore {
    public func savePlan(_ plan: Plan) async throws {
        try await savePlans([plan])
    }

    /// Saves many plans in one transaction (an import, a benchmark's data).
    public func savePlans(_ plans: [Plan]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // The plan row keeps what is not in the other tables; steps, messages and gaps have their own rows.
        let encoded = try plans.map { plan in
            var header = plan
            header.steps = []
            header.messages = []
            header.gaps = []
            return (plan, try encoder.encode(header), try plan.steps.map { try encoder.encode($0) }, try plan.messages.map { try encoder.encode($0) })
        }
        try await transaction { connection in
            for (plan, header, steps, messages) in encoded {
                _ = try await connection.rows(
                    """
                    INSERT INTO plans (id, issue, repository, state, created_at, updated_at, plan)
                    VALUES (\(plan.id), \(plan.task.issue), \(plan.repository), \(plan.state.rawValue), \(plan.createdAt.storeSeconds),
                            \(plan.updatedAt.storeSeconds), \(header))
                    ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, plan = excluded.plan
                    """,
                    logger: self.logger
                )
                for (position, step) in plan.steps.enumerated() {
                    _ = try await connection.rows(
                        """
                        INSERT INTO plan_steps (plan_id, position, id, agent, state, attempts, started_at, ended_at, step)
                        VALUES (\(plan.id), \(position), \(step.id), \(step.agent.rawValue), \(step.state.rawValue), \(step.attempts),
                                \(step.startedAt?.storeSeconds), \(step.endedAt?.storeSeconds), \(steps[position]))
                        ON CONFLICT (plan_id, id) DO UPDATE SET position = excluded.position, state = excluded.state,
                            attempts = excluded.attempts, started_at = excluded.started_at, ended_at = excluded.ended_at, step = excluded.step
                        """,
                        logger: self.logger
                    )
                }
                // Messages and gaps only grow: append the ones not yet stored.
                let counts = try await connection.rows(
                    """
                    SELECT (SELECT count(*) FROM agent_messages WHERE plan_id = \(plan.id)),
                           (SELECT count(*) FROM capability_gaps WHERE plan_id = \(plan.id))
                    """,
                    logger: self.logger
                )
                let (storedMessages, storedGaps) = (try counts[0].decode(Int.self, column: 0), try counts[0].decode(Int.self, column: 1))
                for (position, message) in plan.messages.enumerated().dropFirst(storedMessages) {
                    _ = try await connection.rows(
                        """
                        INSERT INTO agent_messages (plan_id, position, sender, recipient, intent, at, message)
                        VALUES (\(plan.id), \(position), \(message.sender.rawValue), \(message.recipient?.rawValue), \(message.intent.rawValue),
                                \(message.at.storeSeconds), \(messages[position]))
                        """,
                        logger: self.logger
                    )
                }
                for (position, gap) in plan.gaps.enumerated().dropFirst(storedGaps) {
                    _ = try await connection.rows(
                        """
                        INSERT INTO capability_gaps (plan_id, position, agent, asked, lacking)
                        VALUES (\(plan.id), \(position), \(gap.agent.rawValue), \(gap.asked), \(gap.lacking))
                        """,
                        logger: self.logger
                    )
                }
            }
        }
    }

    public func latestPlan(repository: String, issue: Int) async throws -> Plan? {
        let found = try await rows(
            "SELECT id FROM plans WHERE lower(repository) = \(repository.lowercased()) AND issue = \(issue) ORDER BY created_at DESC, seq DESC LIMIT 1"
        )
        guard let id = try found.first?.decode(String.self, column: 0) else { return nil }
        return try await plan(id: id)
    }

    public func plan(id: String) async throws -> Plan? {
        let decoder = JSONDecoder()
        guard let header = try await rows("SELECT plan FROM plans WHERE id = \(id)").first else { return nil }
        var plan = try decoder.decode(Plan.self, from: try header.decode(Data.self, column: 0))
        plan.steps = try Self.decoded(Step.self, try await rows("SELECT step FROM plan_steps WHERE plan_id = \(id) ORDER BY position"))
        plan.messages = try Self.decoded(
            AgentMessage.self,
            try await rows("SELECT message FROM agent_messages WHERE plan_id = \(id) ORDER BY position")
        )
        plan.gaps = try await rows("SELECT agent, asked, lacking FROM capability_gaps WHERE plan_id = \(id) ORDER BY position").map { row in
            CapabilityGap(
                agent: AgentRole(rawValue: try row.decode(String.self, column: 0)) ?? .infrastructure,
                asked: try row.decode(column: 1),
                lacking: try row.decode(column: 2)
            )
        }
        return plan
    }
}
