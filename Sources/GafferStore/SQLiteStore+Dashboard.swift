import Foundation
import GRDB
import GafferCore

/// The dashboard's reads: counts and pages from the indexed columns, plans' JSON decoded only for the rows shown.
extension SQLiteStore: DashboardReading {
    public func taskCounts() async throws -> [Plan.State: Int] {
        try await pool.read { db in
            var counts: [Plan.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM plans GROUP BY state") {
                if let state = Plan.State(rawValue: row[0]) { counts[state] = row[1] }
            }
            return counts
        }
    }

    public func tasks(state: Plan.State?, search: String?, page: Int, perPage: Int) async throws -> Page<TaskSummary> {
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        if let state {
            conditions.append("state = ?")
            arguments.append(state.rawValue.databaseValue)
        }
        if let search = search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            let number = Int(search.trimmingCharacters(in: CharacterSet(charactersIn: "#")))
            conditions.append("(repository LIKE ? ESCAPE '\\' OR id = ?\(number == nil ? "" : " OR issue = ?"))")
            arguments.append(
                ("%" + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%") + "%").databaseValue
            )
            arguments.append(search.databaseValue)
            if let number { arguments.append(number.databaseValue) }
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let page = max(1, page)
        let decoder = JSONDecoder()
        let given = arguments
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM plans \(filter)", arguments: StatementArguments(given)) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT plan, (SELECT COUNT(*) FROM plan_steps WHERE plan_id = plans.id) AS steps FROM plans \(filter)
                    ORDER BY updated_at DESC, rowid DESC LIMIT ? OFFSET ?
                    """,
                arguments: StatementArguments(given + [perPage.databaseValue, ((page - 1) * perPage).databaseValue])
            )
            let items = try rows.map { row -> TaskSummary in
                var summary = TaskSummary(plan: try decoder.decode(Plan.self, from: row["plan"] as Data))
                summary.steps = row["steps"]
                return summary
            }
            return Page(items: items, total: total, page: page, perPage: perPage)
        }
    }

    public func waitingChangePlans(page: Int, perPage: Int) async throws -> Page<ChangePlan> {
        let page = max(1, page)
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change_plans WHERE state = 'planned'") ?? 0
            let plans = try Row.fetchAll(
                db,
                sql: "SELECT state, plan FROM change_plans WHERE state = 'planned' ORDER BY created_at, rowid LIMIT ? OFFSET ?",
                arguments: [perPage, (page - 1) * perPage]
            ).map(Self.plan(from:))
            return Page(items: plans, total: total, page: page, perPage: perPage)
        }
    }

    public func runningSteps(limit: Int) async throws -> [RunningStep] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.plan_id, p.repository, p.issue, s.id, s.agent, s.started_at FROM plan_steps s JOIN plans p ON p.id = s.plan_id
                    WHERE s.state = 'running' ORDER BY s.started_at LIMIT ?
                    """,
                arguments: [limit]
            ).map { row in
                RunningStep(
                    planID: row[0],
                    repository: row[1],
                    issue: row[2],
                    stepID: row[3],
                    agent: AgentRole(rawValue: row[4]) ?? .infrastructure,
                    startedAt: (row[5] as Double?).map(Date.init(storeSeconds:))
                )
            }
        }
    }

    public func agentActivity() async throws -> [AgentActivity] {
        try await pool.read { db in
            var byAgent = Dictionary(uniqueKeysWithValues: AgentRole.allCases.map { ($0, AgentActivity(agent: $0)) })
            for row in try Row.fetchAll(db, sql: "SELECT agent, state, COUNT(*) FROM plan_steps GROUP BY agent, state") {
                guard let agent = AgentRole(rawValue: row[0]) else { continue }
                let count: Int = row[2]
                byAgent[agent]?.steps += count
                switch StepState(rawValue: row[1]) {
                case .succeeded?: byAgent[agent]?.succeeded += count
                case .failed?, .blocked?: byAgent[agent]?.failed += count
                case .running?: byAgent[agent]?.running += count
                default: break
                }
            }
            for agent in AgentRole.allCases {
                // Durations in order, so the 95th percentile is a row of the list.
                let durations = try Double.fetchAll(
                    db,
                    sql: """
                        SELECT ended_at - started_at FROM plan_steps
                        WHERE agent = ? AND started_at IS NOT NULL AND ended_at IS NOT NULL ORDER BY 1
                        """,
                    arguments: [agent.rawValue]
                )
                if !durations.isEmpty {
                    byAgent[agent]?.meanSeconds = durations.reduce(0, +) / Double(durations.count)
                    byAgent[agent]?.p95Seconds = durations[min(durations.count - 1, Int((Double(durations.count) * 0.95).rounded(.up)) - 1)]
                }
            }
            for row in try Row.fetchAll(db, sql: "SELECT sender, COUNT(*) FROM agent_messages WHERE recipient IS NOT NULL GROUP BY sender") {
                if let agent = AgentRole(rawValue: row[0]) { byAgent[agent]?.handoffs = row[1] }
            }
            for row in try Row.fetchAll(db, sql: "SELECT agent, COUNT(*) FROM capability_gaps GROUP BY agent") {
                if let agent = AgentRole(rawValue: row[0]) { byAgent[agent]?.gaps = row[1] }
            }
            return AgentRole.allCases.compactMap { byAgent[$0] }
        }
    }

    public func recentDeployments(limit: Int) async throws -> [Deployment] {
        try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT deployment FROM deployments ORDER BY position DESC LIMIT ?", arguments: [limit])
                .map { try Self.decode(Deployment.self, $0) }
        }
    }

    public func changePlans(repository: String, issue: Int) async throws -> [ChangePlan] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT state, plan FROM change_plans WHERE repository = ? AND issue = ? ORDER BY created_at DESC, rowid DESC",
                arguments: [repository.lowercased(), issue]
            ).map(Self.plan(from:))
        }
    }

    public func dashboardVersion() async throws -> String {
        try await pool.read { db in
            // Each part is a lookup in an index or a primary key, so the live pages can ask often.
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT MAX(updated_at) FROM plans), (SELECT COUNT(*) FROM plans),
                        (SELECT MAX(rowid) FROM change_plans), (SELECT COUNT(*) FROM change_plans WHERE state = 'planned'),
                        (SELECT MAX(position) FROM decisions), (SELECT MAX(position) FROM deployments),
                        (SELECT COUNT(*) FROM plan_steps WHERE state = 'running'), (SELECT value FROM control WHERE key = 'pause')
                    """
            )
            return (0..<8).map { index in row.map { "\($0[index] as DatabaseValue)" } ?? "" }.joined(separator: "|")
        }
    }
}

extension SQLiteStore: DashboardSessionStore {
    public func saveSession(_ session: DashboardSession, tokenHash: String) async throws {
        let data = try JSONEncoder().encode(session)
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO dashboard_sessions (token_hash, expires_at, session) VALUES (?, ?, ?)",
                arguments: [tokenHash, session.expiresAt.storeSeconds, data]
            )
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> DashboardSession? {
        try await pool.read { db in
            try Data.fetchOne(
                db,
                sql: "SELECT session FROM dashboard_sessions WHERE token_hash = ? AND expires_at > ?",
                arguments: [tokenHash, now.storeSeconds]
            ).map { try JSONDecoder().decode(DashboardSession.self, from: $0) }
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await writer.write { db in try db.execute(sql: "DELETE FROM dashboard_sessions WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    @discardableResult
    public func deleteExpiredSessions(now: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE expires_at <= ?", arguments: [now.storeSeconds])
            return db.changesCount
        }
    }
}
