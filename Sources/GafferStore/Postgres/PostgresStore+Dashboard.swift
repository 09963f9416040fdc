import Foundation
import GafferCore
import PostgresNIO

/// The dashboard's reads, as in `SQLiteStore`: counts and pages from the indexed columns, plans' JSON
/// decoded only for the rows shown.
extension PostgresStore: DashboardReading {
    public func taskCounts() async throws -> [Plan.State: Int] {
        var counts: [Plan.State: Int] = [:]
        for row in try await rows("SELECT state, count(*) FROM plans GROUP BY state") {
            if let state = Plan.State(rawValue: try row.decode(String.self, column: 0)) { counts[state] = try row.decode(Int.self, column: 1) }
        }
        return counts
    }

    public func tasks(state: Plan.State?, search: String?, page: Int, perPage: Int) async throws -> Page<TaskSummary> {
        let trimmed = search?.trimmingCharacters(in: .whitespaces)
        let search = trimmed?.isEmpty == false ? trimmed : nil
        let pattern = search.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%") + "%" }
        let number = search.flatMap { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "#"))) }
        let page = max(1, page)
        // A filter left out is a NULL parameter, so one statement serves every combination; the window count saves a second query.
        let found = try await rows(
            """
            SELECT plan, (SELECT count(*) FROM plan_steps WHERE plan_id = plans.id), count(*) OVER () FROM plans
            WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
              AND (\(search)::text IS NULL OR repository LIKE \(pattern) ESCAPE '\\' OR id = \(search) OR issue = \(number))
            ORDER BY updated_at DESC, seq DESC LIMIT \(perPage) OFFSET \((page - 1) * perPage)
            """
        )
        let decoder = JSONDecoder()
        let items = try found.map { row in
            var summary = TaskSummary(plan: try decoder.decode(Plan.self, from: try row.decode(Data.self, column: 0)))
            summary.steps = try row.decode(column: 1)
            return summary
        }
        var total = try found.first?.decode(Int.self, column: 2) ?? 0
        if found.isEmpty && page > 1 {
            // A page past the end has no rows to carry the count.
            total = try await tasks(state: state, search: search, page: 1, perPage: 1).total
        }
        return Page(items: items, total: total, page: page, perPage: perPage)
    }

    public func waitingChangePlans(page: Int, perPage: Int) async throws -> Page<ChangePlan> {
        let page = max(1, page)
        let total: Int = try await rows("SELECT count(*) FROM change_plans WHERE state = 'planned'")[0].decode(column: 0)
        let plans = try Self.changePlans(
            try await rows(
                """
                SELECT plan, state FROM change_plans WHERE state = 'planned' ORDER BY created_at, seq LIMIT \(perPage) OFFSET \((page - 1) * perPage)
                """
            )
        )
        return Page(items: plans, total: total, page: page, perPage: perPage)
    }

    public func runningSteps(limit: Int) async throws -> [RunningStep] {
        try await rows(
            """
            SELECT s.plan_id, p.repository, p.issue, s.id, s.agent, s.started_at FROM plan_steps s JOIN plans p ON p.id = s.plan_id
            WHERE s.state = 'running' ORDER BY s.started_at LIMIT \(limit)
            """
        ).map { row in
            RunningStep(
                planID: try row.decode(column: 0),
                repository: try row.decode(column: 1),
                issue: try row.decode(column: 2),
                stepID: try row.decode(column: 3),
                agent: AgentRole(rawValue: try row.decode(String.self, column: 4)) ?? .infrastructure,
                startedAt: try row.decode(Double?.self, column: 5).map(Date.init(storeSeconds:))
            )
        }
    }

    public func agentActivity() async throws -> [AgentActivity] {
        var byAgent = Dictionary(uniqueKeysWithValues: AgentRole.allCases.map { ($0, AgentActivity(agent: $0)) })
        for row in try await rows("SELECT agent, state, count(*) FROM plan_steps GROUP BY agent, state") {
            guard let agent = AgentRole(rawValue: try row.decode(String.self, column: 0)) else { continue }
            let count: Int = try row.decode(column: 2)
            byAgent[agent]?.steps += count
            switch StepState(rawValue: try row.decode(String.self, column: 1)) {
            case .succeeded?: byAgent[agent]?.succeeded += count
            case .failed?, .blocked?: byAgent[agent]?.failed += count
            case .running?: byAgent[agent]?.running += count
            default: break
            }
        }
        // The server computes what SQLite's reader does by hand: the mean, and the 95th percentile as a row of the list.
        let durations = try await rows(
            """
            SELECT agent, avg(ended_at - started_at), percentile_disc(0.95) WITHIN GROUP (ORDER BY ended_at - started_at)
            FROM plan_steps WHERE started_at IS NOT NULL AND ended_at IS NOT NULL GROUP BY agent
            """
        )
        for row in durations {
            guard let agent = AgentRole(rawValue: try row.decode(String.self, column: 0)) else { continue }
            byAgent[agent]?.meanSeconds = try row.decode(column: 1)
            byAgent[agent]?.p95Seconds = try row.decode(column: 2)
        }
        for row in try await rows("SELECT sender, count(*) FROM agent_messages WHERE recipient IS NOT NULL GROUP BY sender") {
            if let agent = AgentRole(rawValue: try row.decode(String.self, column: 0)) { byAgent[agent]?.handoffs = try row.decode(column: 1) }
        }
        for row in try await rows("SELECT agent, count(*) FROM capability_gaps GROUP BY agent") {
            if let agent = AgentRole(rawValue: try row.decode(String.self, column: 0)) { byAgent[agent]?.gaps = try row.decode(column: 1) }
        }
        return AgentRole.allCases.compactMap { byAgent[$0] }
    }

    public func recentDeployments(limit: Int) async throws -> [Deployment] {
        try Self.decoded(Deployment.self, try await rows("SELECT deployment FROM deployments ORDER BY position DESC LIMIT \(limit)"))
    }

    public func changePlans(repository: String, issue: Int) async throws -> [ChangePlan] {
        try Self.changePlans(
            try await rows(
                "SELECT plan, state FROM change_plans WHERE repository = \(repository.lowercased()) AND issue = \(issue) ORDER BY created_at DESC, seq DESC"
            )
        )
    }

    public func dashboardVersion() async throws -> String {
        // Each part is a lookup in an index or a primary key, so the live pages can ask often.
        let row = try await rows(
            """
            SELECT concat_ws('|', (SELECT max(updated_at) FROM plans), (SELECT count(*) FROM plans),
                (SELECT max(seq) FROM change_plans), (SELECT count(*) FROM change_plans WHERE state = 'planned'),
                (SELECT max(position) FROM decisions), (SELECT max(position) FROM deployments),
                (SELECT count(*) FROM plan_steps WHERE state = 'running'), (SELECT md5(value) FROM control WHERE key = 'pause'))
            """
        )
        return try row.first?.decode(String.self, column: 0) ?? ""
    }
}

extension PostgresStore: DashboardSessionStore {
    public func saveSession(_ session: DashboardSession, tokenHash: String) async throws {
        let data = try JSONEncoder().encode(session)
        _ = try await rows(
            """
            INSERT INTO dashboard_sessions (token_hash, expires_at, session) VALUES (\(tokenHash), \(session.expiresAt.storeSeconds), \(data))
            ON CONFLICT (token_hash) DO UPDATE SET expires_at = excluded.expires_at, session = excluded.session
            """
        )
    }

    public func session(tokenHash: String, now: Date) async throws -> DashboardSession? {
        try Self.decoded(
            DashboardSession.self,
            try await rows("SELECT session FROM dashboard_sessions WHERE token_hash = \(tokenHash) AND expires_at > \(now.storeSeconds)")
        ).first
    }

    public func deleteSession(tokenHash: String) async throws {
        _ = try await rows("DELETE FROM dashboard_sessions WHERE token_hash = \(tokenHash)")
    }

    @discardableResult
    public func deleteExpiredSessions(now: Date) async throws -> Int {
        try await rows("DELETE FROM dashboard_sessions WHERE expires_at <= \(now.storeSeconds) RETURNING token_hash").count
    }
}
