import Foundation
import GafferAWS

/// One write Gaffer makes outside CloudFormation, on one named resource: what an approved savings
/// proposal does to a resource no stack of Gaffer's made, and the restarts autonomy allows.
public struct ResourceAction: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case stopInstance, rebootInstance, releaseAddress, deleteVolume, deleteSnapshot, restartService
    }

    public var kind: Kind
    public var arn: String
    public var account: String
    public var region: String

    public init(_ kind: Kind, arn: String, account: String, region: String) {
        self.kind = kind
        self.arn = arn
        self.account = account
        self.region = region
    }

    /// The id after the ARN's resource type: `i-…`, `eipalloc-…`, `vol-…`, `snap-…`, or `CLUSTER/SERVICE`.
    var id: String {
        let resource = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last ?? ""
        return String(resource.split(separator: "/", maxSplits: 1).last ?? "")
    }

    /// The action a cost proposal's rule stands for, on a resource Gaffer did not make.
    static func carrying(out rule: String) -> Kind? {
        switch rule {
        case "EC2-IDLE": .stopInstance
        case "EIP-UNUSED": .releaseAddress
        case "EBS-UNATTACHED": .deleteVolume
        case "EBS-SNAPSHOT-OLD": .deleteSnapshot
        default: nil
        }
    }

    /// The restart that may bring back a resource found Unhealthy.
    static func remedy(forType type: String) -> Kind? {
        switch type {
        case "AWS::EC2::Instance": .rebootInstance
        case "AWS::ECS::Service": .restartService
        default: nil
        }
    }
}

/// Carries out `ResourceAction`s. `AWSResourceActions` is the real one.
public protocol ResourceActions: Sendable {
    /// Does it, after checking it still makes sense, and says what was done in a sentence.
    func perform(_ action: ResourceAction) async throws -> String
}

/// Why an action was not done: the resource changed since it was proposed.
public struct ActionRefused: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// The actions through EC2 and ECS, with the account's read-write client.
public struct AWSResourceActions: ResourceActions {
    public let accounts: AccountClients

    public init(accounts: AccountClients) {
        self.accounts = accounts
    }

    public func perform(_ action: ResourceAction) async throws -> String {
        let client = try await accounts.client(for: action.account)
        let ec2 = EC2(client, region: action.region)
        let id = action.id
        switch action.kind {
        case .stopInstance:
            guard let instance = try await ec2.describeInstances(ids: [id]).first else {
                throw ActionRefused(description: "the instance `\(id)` is not there any more")
            }
            try Self.refuseIfStackOwned(id, tags: instance.tags)
            guard instance.state == "running" else { throw ActionRefused(description: "`\(id)` is \(instance.state) now; nothing was stopped") }
            let change = try await ec2.stopInstances([id]).first
            return "stopped `\(id)` (it was \(change?.previousState ?? "running")); `aws ec2 start-instances --instance-ids \(id)` starts it again"
        case .rebootInstance:
            try await ec2.rebootInstances([id])
            return "rebooted `\(id)`"
        case .releaseAddress:
            guard let address = try await ec2.describeAddresses().first(where: { $0.allocationID == id }) else {
                throw ActionRefused(description: "the address `\(id)` is not there any more")
            }
            guard address.associationID == nil, address.instanceID == nil else {
                throw ActionRefused(description: "`\(address.publicIP)` is associated again, so it is in use; nothing was released")
            }
            try await ec2.releaseAddress(allocationID: id)
            return "released `\(address.publicIP)` (`\(id)`)"
        case .deleteVolume:
            guard let volume = try await ec2.describeVolumes(ids: [id]).first else {
                throw ActionRefused(description: "the volume `\(id)` is not there any more")
            }
            try Self.refuseIfStackOwned(id, tags: volume.tags)
            guard volume.state == "available", volume.attachedTo.isEmpty else {
                throw ActionRefused(description: "`\(id)` is \(volume.state) now, so it is in use; nothing was deleted")
            }
            // Its data is kept for less than the volume costs; deleting the snapshot is a later, separate choice.
            let snapshot = try await ec2.createSnapshot(volumeID: id, description: "Gaffer: \(id) before deleting it as unattached")
            try await ec2.deleteVolume(id)
            return "deleted `\(id)` after taking snapshot `\(snapshot)` of it"
        case .deleteSnapshot:
            guard let snapshot = try await ec2.describeSnapshots(ids: [id]).first else {
                throw ActionRefused(description: "the snapshot `\(id)` is not there any more")
            }
            try Self.refuseIfStackOwned(id, tags: snapshot.tags)
            try await ec2.deleteSnapshot(id)
            return "deleted `\(id)`"
        case .restartService:
            // service/CLUSTER/NAME, or the older service/NAME of the default cluster.
            let named = id.split(separator: "/").map(String.init)
            let parts = named.count == 1 ? ["default"] + named : named
            guard parts.count == 2 else { throw ActionRefused(description: "`\(action.arn)` does not name a cluster and a service") }
            try await ECS(client, region: action.region).forceNewDeployment(parts[1], cluster: parts[0])
            return "started a new deployment of `\(parts[1])` in `\(parts[0])`, replacing its tasks"
        }
    }

    /// Another tool's CloudFormation stack made it: changed directly, that stack would drift from it.
    static func refuseIfStackOwned(_ id: String, tags: [String: String]) throws {
        guard let stack = tags["aws:cloudformation:stack-name"] else { return }
        throw ActionRefused(
            description: "`\(id)` belongs to the CloudFormation stack `\(stack)`: change it through that stack, so the stack keeps agreeing with AWS"
        )
    }
}
