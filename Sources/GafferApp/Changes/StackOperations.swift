import Foundation
import GafferAWS
import GafferAgents
import GafferCore

/// What planning and applying ask of CloudFormation, for a stack in its account and region.
/// `CloudFormationStacks` is the real one; the calls are few so a test can record them.
public protocol StackOperations: Sendable {
    /// The account Gaffer's own credentials are in, for a task that names none.
    func defaultAccount() async throws -> String
    /// The stack as it is, or nil when there is none (never made, or deleted).
    func stack(_ key: StackKey) async throws -> CloudFormation.Stack?
    /// Creates a change set and returns its id.
    func createChangeSet(_ key: StackKey, name: String, type: String, template: String, tags: [String: String]) async throws -> String
    /// The change set, or nil when it does not exist.
    func changeSet(_ key: StackKey, name: String) async throws -> CloudFormation.ChangeSet?
    func executeChangeSet(_ key: StackKey, name: String) async throws
    func deleteChangeSet(_ key: StackKey, name: String) async throws
    func deleteStack(_ key: StackKey) async throws
    /// Newest first, as CloudFormation lists them.
    func events(_ key: StackKey) async throws -> [CloudFormation.StackEvent]
    func resources(_ key: StackKey) async throws -> [CloudFormation.StackResource]
    /// The template the stack runs now.
    func template(_ key: StackKey) async throws -> String
}

/// Stack operations through CloudFormation, with the role of the stack's account.
public struct CloudFormationStacks: StackOperations {
    public let accounts: AccountClients

    public init(accounts: AccountClients) {
        self.accounts = accounts
    }

    private func cloudFormation(_ key: StackKey) async throws -> CloudFormation {
        CloudFormation(try await accounts.client(for: key.account), region: key.region)
    }

    public func defaultAccount() async throws -> String {
        try await STS(accounts.base).getCallerIdentity().account
    }

    /// CloudFormation says "Stack with id X does not exist" as a ValidationError.
    static func isMissing(_ error: any Error) -> Bool {
        guard let error = error as? AWSServiceError else { return false }
        return (error.code == "ValidationError" && error.message.contains("does not exist")) || error.code == "ChangeSetNotFound"
            || error.code == "ChangeSetNotFoundException"
    }

    public func stack(_ key: StackKey) async throws -> CloudFormation.Stack? {
        do {
            let stack = try await cloudFormation(key).describeStacks(name: key.name).first
            return stack?.status == "DELETE_COMPLETE" ? nil : stack
        } catch  where Self.isMissing(error) {
            return nil
        }
    }

    public func createChangeSet(_ key: StackKey, name: String, type: String, template: String, tags: [String: String]) async throws -> String {
        var input = CloudFormation.StackInput(stackName: key.name, templateBody: template)
        input.tags = tags
        input.capabilities = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
        if type == "UPDATE", let current = try await stack(key) {
            // Like `aws cloudformation deploy`: a parameter set outside Gaffer (the image tag a release
            // rolled out) keeps its value; left out, it would fall back to its default and undo the release.
            let declared = (try? CloudFormationDocument(path: key.name, text: template).parameterNames) ?? []
            input.previousParameters = declared.filter { current.parameters[$0] != nil }
        }
        return try await cloudFormation(key).createChangeSet(
            input,
            name: name,
            type: type,
            description: "Planned by Gaffer",
            includePropertyValues: true
        )
    }

    public func changeSet(_ key: StackKey, name: String) async throws -> CloudFormation.ChangeSet? {
        do {
            return try await cloudFormation(key).describeChangeSet(name, stackName: key.name)
        } catch  where Self.isMissing(error) {
            return nil
        }
    }

    public func executeChangeSet(_ key: StackKey, name: String) async throws {
        try await cloudFormation(key).executeChangeSet(name, stackName: key.name)
    }

    public func deleteChangeSet(_ key: StackKey, name: String) async throws {
        do {
            try await cloudFormation(key).deleteChangeSet(name, stackName: key.name)
        } catch  where Self.isMissing(error) {}
    }

    public func deleteStack(_ key: StackKey) async throws {
        try await cloudFormation(key).deleteStack(key.name)
    }

    public func events(_ key: StackKey) async throws -> [CloudFormation.StackEvent] {
        try await cloudFormation(key).describeStackEvents(key.name)
    }

    public func resources(_ key: StackKey) async throws -> [CloudFormation.StackResource] {
        try await cloudFormation(key).describeStackResources(key.name)
    }

    public func template(_ key: StackKey) async throws -> String {
        try await cloudFormation(key).getTemplate(key.name)
    }
}
