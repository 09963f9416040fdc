import Foundation
import GRDB
import GafferCore

/// Change plans, decisions, locks, the registry and deployments: each row keeps its value as
/// JSON beside the columns it is found by. Repository names are compared lowercased, as GitHub does.
extension SQLiteStore: ChangeStore {
    private static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(value)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ data: Data) throws -> Value {
        try JSONDecoder().decode(type, from: data)
    }

    public func saveChangePlan(_ plan: ChangePlan) async throws -> ChangePlan {
        let data = try Self.encode(plan)
        return try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO change_plans (id, repository, pull_request, issue, state, created_at, plan) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO NOTHING
                    """,
                arguments: [
                    plan.id, plan.repository.lowercased(), plan.pullRequest, plan.issue, plan.state.rawValue, plan.createdAt.storeSeconds, data,
                ]
            )
            return try Self.changePlan(db, id: plan.id) ?? plan
        }
    }

    private static func changePlan(_ db: Database, id: String) throws -> ChangePlan? {
        guard let row = try Row.fetchOne(db, sql: "SELECT state, plan FROM change_plans WHERE id = ?", arguments: [id]) else { return nil }
        return try plan(from: row)
    }

    /// The record with the state column's value: the JSON is written once, the state moves on.
    static func plan(from row: Row) throws -> ChangePlan {
        var plan = try decode(ChangePlan.self, row["plan"])
        plan.state = ChangePlan.State(rawValue: row["state"]) ?? plan.state
        return plan
    }

    public func changePlan(id: String) async throws -> ChangePlan? {
        try await pool.read { db in try Self.changePlan(db, id: id) }
    }

    public func changePlans(repository: String, pullRequest: Int) async throws -> [ChangePlan] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT state, plan FROM change_plans WHERE repository = ? AND pull_request = ? ORDER BY created_at, rowid",
                arguments: [repository.lowercased(), pullRequest]
            ).map(Self.plan(from:))
        }
    }

    public func latestChangePlan(repository: String, pullRequest: Int) async throws -> ChangePlan? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT state, plan FROM change_plans WHERE repository = ? AND pull_request = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
                arguments: [repository.lowercased(), pullRequest]
            ).map(Self.plan(from:))
        }
    }

    public func transitionChangePlan(_ id: String, from: Set<ChangePlan.State>, to state: ChangePlan.State) async throws -> Bool {
        let sources = from.map(\.rawValue)
        return try await writer.write { db in
            try db.execute(
                sql: "UPDATE change_plans SET state = ? WHERE id = ? AND state IN (\(sources.map { _ in "?" }.joined(separator: ", ")))",
                arguments: StatementArguments([state.rawValue, id] + sources)
            )
            return db.changesCount == 1
        }
    }

    public func recordDecision(_ decision: Decision) async throws {
        var redacted = decision
        redacted.reason = decision.reason.map(redactor.redact)
        let data = try Self.encode(redacted)
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO decisions (repository, pull_request, decision) VALUES (?, ?, ?)",
                arguments: [decision.repository.lowercased(), decision.pullRequest, data]
            )
        }
    }

    public func decisions(repository: String, pullRequest: Int) async throws -> [Decision] {
        try await pool.read { db in
            try Data.fetchAll(
                db,
                sql: "SELECT decision FROM decisions WHERE repository = ? AND pull_request = ? ORDER BY position",
                arguments: [repository.lowercased(), pullRequest]
            ).map { try Self.decode(Decision.self, $0) }
        }
    }

    public func acquireLock(_ lock: StackLock) async throws -> StackLock {
        let data = try Self.encode(lock)
        return try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO stack_locks (stack, repository, pull_request, lock) VALUES (?, ?, ?, ?) ON CONFLICT(stack) DO NOTHING",
                arguments: [lock.key.description, lock.repository.lowercased(), lock.pullRequest, data]
            )
            let held = try Data.fetchOne(db, sql: "SELECT lock FROM stack_locks WHERE stack = ?", arguments: [lock.key.description])
            return try held.map { try Self.decode(StackLock.self, $0) } ?? lock
        }
    }

    public func lock(for key: StackKey) async throws -> StackLock? {
        try await pool.read { db in
            try Data.fetchOne(db, sql: "SELECT lock FROM stack_locks WHERE stack = ?", arguments: [key.description]).map {
                try Self.decode(StackLock.self, $0)
            }
        }
    }

    public func locks(repository: String, pullRequest: Int) async throws -> [StackLock] {
        try await pool.read { db in
            try Data.fetchAll(
                db,
                sql: "SELECT lock FROM stack_locks WHERE repository = ? AND pull_request = ? ORDER BY stack",
                arguments: [repository.lowercased(), pullRequest]
            ).map { try Self.decode(StackLock.self, $0) }
        }
    }

    public func releaseLocks(repository: String, pullRequest: Int, keys: [StackKey]?) async throws -> [StackLock] {
        try await writer.write { db in
            let held = try Data.fetchAll(
                db,
                sql: "SELECT lock FROM stack_locks WHERE repository = ? AND pull_request = ? ORDER BY stack",
                arguments: [repository.lowercased(), pullRequest]
            ).map { try Self.decode(StackLock.self, $0) }
            let released = held.filter { lock in keys.map { $0.contains(lock.key) } ?? true }
            for lock in released {
                try db.execute(sql: "DELETE FROM stack_locks WHERE stack = ?", arguments: [lock.key.description])
            }
            return released
        }
    }

    public func register(_ resources: [RegisteredResource]) async throws {
        let rows = try resources.map { ($0.arn, $0.stack.description, try Self.encode($0)) }
        try await writer.write { db in
            for (arn, stack, data) in rows {
                try db.execute(
                    sql:
                        "INSERT INTO registry (arn, stack, resource) VALUES (?, ?, ?) ON CONFLICT(arn) DO UPDATE SET stack = excluded.stack, resource = excluded.resource",
                    arguments: [arn, stack, data]
                )
            }
        }
    }

    public func unregister(stack: StackKey) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM registry WHERE stack = ?", arguments: [stack.description])
        }
    }

    public func registeredResources() async throws -> [RegisteredResource] {
        try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT resource FROM registry ORDER BY stack, arn").map { try Self.decode(RegisteredResource.self, $0) }
        }
    }

    public func registeredResources(in stacks: [StackKey]) async throws -> [RegisteredResource] {
        guard !stacks.isEmpty else { return [] }
        let names = stacks.map(\.description)
        return try await pool.read { db in
            try Data.fetchAll(
                db,
                sql: "SELECT resource FROM registry WHERE stack IN (\(names.map { _ in "?" }.joined(separator: ", "))) ORDER BY stack, arn",
                arguments: StatementArguments(names)
            ).map { try Self.decode(RegisteredResource.self, $0) }
        }
    }

    public func recordDeployment(_ deployment: Deployment) async throws {
        let data = try Self.encode(deployment)
        try await writer.write { db in
            try db.execute(
                // Once per plan and stack: a worker that reconciles an apply it did not see end records nothing twice.
                sql: "INSERT INTO deployments (repository, plan_id, stack, deployment) VALUES (?, ?, ?, ?) ON CONFLICT(plan_id, stack) DO NOTHING",
                arguments: [deployment.repository.lowercased(), deployment.planID, deployment.stack.description, data]
            )
        }
    }

    public func deployments(repository: String?) async throws -> [Deployment] {
        try await pool.read { db in
            let data =
                if let repository {
                    try Data.fetchAll(
                        db,
                        sql: "SELECT deployment FROM deployments WHERE repository = ? ORDER BY position",
                        arguments: [repository.lowercased()]
                    )
                } else {
                    try Data.fetchAll(db, sql: "SELECT deployment FROM deployments ORDER BY position")
                }
            return try data.map { try Self.decode(Deployment.self, $0) }
        }
    }

    public func deployments(plan id: String) async throws -> [Deployment] {
        try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT deployment FROM deployments WHERE plan_id = ? ORDER BY position", arguments: [id])
                .map { try Self.decode(Deployment.self, $0) }
        }
    }
}
