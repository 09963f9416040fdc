import GafferAWS
import GafferCore

/// Stack operations that record how long each call waited for AWS (`gaffer_aws_call_duration_seconds`).
struct TimedStackOperations: StackOperations {
    let base: any StackOperations
    let metrics: GafferMetrics

    private func timed<Value: Sendable>(_ operation: String, _ call: () async throws -> Value) async throws -> Value {
        let started = ContinuousClock.now
        defer { metrics.awsCall(operation, duration: ContinuousClock.now - started) }
        return try await call()
    }

    func defaultAccount() async throws -> String { try await timed("GetCallerIdentity") { try await base.defaultAccount() } }
    func stack(_ key: StackKey) async throws -> CloudFormation.Stack? { try await timed("DescribeStacks") { try await base.stack(key) } }

    func createChangeSet(_ key: StackKey, name: String, type: String, template: String, tags: [String: String]) async throws -> String {
        try await timed("CreateChangeSet") { try await base.createChangeSet(key, name: name, type: type, template: template, tags: tags) }
    }

    func changeSet(_ key: StackKey, name: String) async throws -> CloudFormation.ChangeSet? {
        try await timed("DescribeChangeSet") { try await base.changeSet(key, name: name) }
    }

    func executeChangeSet(_ key: StackKey, name: String) async throws {
        try await timed("ExecuteChangeSet") { try await base.executeChangeSet(key, name: name) }
    }

    func deleteChangeSet(_ key: StackKey, name: String) async throws {
        try await timed("DeleteChangeSet") { try await base.deleteChangeSet(key, name: name) }
    }

    func deleteStack(_ key: StackKey) async throws { try await timed("DeleteStack") { try await base.deleteStack(key) } }

    func events(_ key: StackKey) async throws -> [CloudFormation.StackEvent] {
        try await timed("DescribeStackEvents") { try await base.events(key) }
    }

    func resources(_ key: StackKey) async throws -> [CloudFormation.StackResource] {
        try await timed("DescribeStackResources") { try await base.resources(key) }
    }

    func template(_ key: StackKey) async throws -> String { try await timed("GetTemplate") { try await base.template(key) } }
}
