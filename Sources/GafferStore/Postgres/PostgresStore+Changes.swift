import Foundation
import GafferCore
import PostgresNIO

/// Change plans, decisions, locks, the registry and deployments, as in `SQLiteStore`: each row keeps its
/// value as JSON beside the columns it is found by; repository names are compared lowercased.
extension PostgresStore: ChangeStore {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(value)
    }

    static func decoded<Value: Decodable>(_ type: Value.Type, _ rows: [PostgresRandomAccessRow]) throws -> [Value] {
        let decoder = JSONDecoder()
        return try rows.map { try decoder.decode(type, from: try $0.decode(Data.self, column: 0)) }
    }

    /// The record with the state column's value: the JSON is written once, the state moves on.
    static func changePlans(_ rows: [PostgresRandomAccessRow]) throws -> [ChangePlan] {
        try rows.map { row in
            var plan = try JSONDecoder().decode(ChangePlan.self, from: try row.decode(Data.self, column: 0))
            plan.state = ChangePlan.State(rawValue: try row.decode(String.self, column: 1)) ?? plan.state
            return plan
        }
    }

    public func saveChangePlan(_ plan: ChangePlan) async throws -> ChangePlan {
        let data = try Self.encode(plan)
        return try await transaction { connection in
            _ = try await connection.rows(
                """
                INSERT INTO change_plans (id, repository, pull_request, issue, state, created_at, plan)
                VALUES (\(plan.id), \(plan.repository.lowercased()), \(plan.pullRequest), \(plan.issue), \(plan.state.rawValue),
                        \(plan.createdAt.storeSeconds), \(data))
                ON CONFLICT (id) DO NOTHING
                """,
                logger: self.logger
            )
            let stored = try await connection.rows("SELECT plan, state FROM change_plans WHERE id = \(plan.id)", logger: self.logger)
            return try Self.changePlans(stored).first ?? plan
        }
    }

    public func changePlan(id: String) async throws -> ChangePlan? {
        try Self.changePlans(try await rows("SELECT plan, state FROM change_plans WHERE id = \(id)")).first
    }

    public func changePlans(repository: String, pullRequest: Int) async throws -> [ChangePlan] {
        try Self.changePlans(
            try await rows(
                """
                SELECT plan, state FROM change_plans WHERE repository = \(repository.lowercased()) AND pull_request = \(pullRequest)
                ORDER BY created_at, seq
                """
            )
        )
    }

    public func latestChangePlan(repository: String, pullRequest: Int) async throws -> ChangePlan? {
        try await changePlans(repository: repository, pullRequest: pullRequest).last
    }

    public func transitionChangePlan(_ id: String, from: Set<ChangePlan.State>, to state: ChangePlan.State) async throws -> Bool {
        let sources = from.map(\.rawValue)
        return try await rows("UPDATE change_plans SET state = \(state.rawValue) WHERE id = \(id) AND state = ANY(\(sources)) RETURNING id").count
            == 1
    }

    public func recordDecision(_ decision: Decision) async throws {
        var redacted = decision
        redacted.reason = decision.reason.map(redactor.redact)
        let data = try Self.encode(redacted)
        _ = try await rows(
            "INSERT INTO decisions (repository, pull_request, decision) VALUES (\(decision.repository.lowercased()), \(decision.pullRequest), \(data))"
        )
    }

    public func decisions(repository: String, pullRequest: Int) async throws -> [Decision] {
        try Self.decoded(
            Decision.self,
            try await rows(
                "SELECT decision FROM decisions WHERE repository = \(repository.lowercased()) AND pull_request = \(pullRequest) ORDER BY position"
            )
        )
    }

    public func acquireLock(_ lock: StackLock) async throws -> StackLock {
        let data = try Self.encode(lock)
        // One statement: another replica taking the same stack at the same moment waits on the row, then sees it held.
        return try await transaction { connection in
            _ = try await connection.rows(
                """
                INSERT INTO stack_locks (stack, repository, pull_request, lock)
                VALUES (\(lock.key.description), \(lock.repository.lowercased()), \(lock.pullRequest), \(data))
                ON CONFLICT (stack) DO NOTHING
                """,
                logger: self.logger
            )
            let held = try await connection.rows("SELECT lock FROM stack_locks WHERE stack = \(lock.key.description)", logger: self.logger)
            return try Self.decoded(StackLock.self, held).first ?? lock
        }
    }

    public func lock(for key: StackKey) async throws -> StackLock? {
        try Self.decoded(StackLock.self, try await rows("SELECT lock FROM stack_locks WHERE stack = \(key.description)")).first
    }

    public func locks(repository: String, pullRequest: Int) async throws -> [StackLock] {
        try Self.decoded(
            StackLock.self,
            try await rows(
                "SELECT lock FROM stack_locks WHERE repository = \(repository.lowercased()) AND pull_request = \(pullRequest) ORDER BY stack"
            )
        )
    }

    public func releaseLocks(repository: String, pullRequest: Int, keys: [StackKey]?) async throws -> [StackLock] {
        let released =
            if let keys {
                try await rows(
                    """
                    DELETE FROM stack_locks WHERE repository = \(repository.lowercased()) AND pull_request = \(pullRequest)
                    AND stack = ANY(\(keys.map(\.description))) RETURNING lock
                    """
                )
            } else {
                try await rows(
                    "DELETE FROM stack_locks WHERE repository = \(repository.lowercased()) AND pull_request = \(pullRequest) RETURNING lock"
                )
            }
        return try Self.decoded(StackLock.self, released).sorted { $0.key.description < $1.key.description }
    }

    public func register(_ resources: [RegisteredResource]) async throws {
        let rows = try resources.map { ($0.arn, $0.stack.description, try Self.encode($0)) }
        guard !rows.isEmpty else { return }
        try await transaction { connection in
            for (arn, stack, data) in rows {
                _ = try await connection.rows(
                    """
                    INSERT INTO registry (arn, stack, resource) VALUES (\(arn), \(stack), \(data))
                    ON CONFLICT (arn) DO UPDATE SET stack = excluded.stack, resource = excluded.resource
                    """,
                    logger: self.logger
                )
            }
        }
    }

    public func unregister(stack: StackKey) async throws {
        _ = try await rows("DELETE FROM registry WHERE stack = \(stack.description)")
    }

    public func registeredResources() async throws -> [RegisteredResource] {
        try Self.decoded(RegisteredResource.self, try await rows("SELECT resource FROM registry ORDER BY stack, arn"))
    }

    public func registeredResources(in stacks: [StackKey]) async throws -> [RegisteredResource] {
        guard !stacks.isEmpty else { return [] }
        return try Self.decoded(
            RegisteredResource.self,
            try await rows("SELECT resource FROM registry WHERE stack = ANY(\(stacks.map(\.description))) ORDER BY stack, arn")
        )
    }

    public func recordDeployment(_ deployment: Deployment) async throws {
        let data = try Self.encode(deployment)
        // Once per plan and stack: a worker that reconciles an apply it did not see end records nothing twice.
        _ = try await rows(
            """
            INSERT INTO deployments (repository, plan_id, stack, deployment)
            VALUES (\(deployment.repository.lowercased()), \(deployment.planID), \(deployment.stack.description), \(data))
            ON CONFLICT (plan_id, stack) DO NOTHING
            """
        )
    }

    public func deployments(repository: String?) async throws -> [Deployment] {
        let found =
            if let repository {
                try await rows("SELECT deployment FROM deployments WHERE repository = \(repository.lowercased()) ORDER BY position")
            } else {
                try await rows("SELECT deployment FROM deployments ORDER BY position")
            }
        return try Self.decoded(Deployment.self, found)
    }

    public func deployments(plan id: String) async throws -> [Deployment] {
        try Self.decoded(Deployment.self, try await rows("SELECT deployment FROM deployments WHERE plan_id = \(id) ORDER BY position"))
    }
}
