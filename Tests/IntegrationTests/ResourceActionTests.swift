import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferTestSupport
import Testing

/// The writes Gaffer makes outside CloudFormation, against moto: each does what it says, and one
/// whose resource is in use again is refused with nothing done.
@Suite struct ResourceActionTests {
    @Test func eachActionDoesWhatItSaysAndNothingInUseIsRemoved() async throws {
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let client = try moto.client()
        let account = try await STS(client).getCallerIdentity().account
        let actions = AWSResourceActions(accounts: AccountClients(base: client))
        let ec2 = EC2(client, region: "us-east-1")
        func act(_ kind: ResourceAction.Kind, _ type: String, _ id: String) async throws -> String {
            try await actions.perform(
                ResourceAction(kind, arn: "arn:aws:ec2:us-east-1:\(account):\(type)/\(id)", account: account, region: "us-east-1")
            )
        }

        let run = try await client.query(.ec2, "RunInstances", [("ImageId", "ami-12c6146b"), ("MinCount", "1"), ("MaxCount", "1")])
        let instance = try #require(run.list("instancesSet").first?.string("instanceId"))
        #expect(try await act(.rebootInstance, "instance", instance) == "rebooted `\(instance)`")
        let stopped = try await act(.stopInstance, "instance", instance)
        #expect(stopped.hasPrefix("stopped `\(instance)` (it was running)"), "\(stopped)")
        #expect(try await ec2.describeInstances(ids: [instance]).first?.state == "stopped")
        await #expect(throws: ActionRefused.self, "stopped already") { try await act(.stopInstance, "instance", instance) }

        let loose = try #require(
            try await client.query(.ec2, "CreateVolume", [("AvailabilityZone", "us-east-1a"), ("Size", "8")]).string("volumeId")
        )
        let deleted = try await act(.deleteVolume, "volume", loose)
        let snapshot = try #require(deleted.firstMatch(of: /after taking snapshot `(snap-[0-9a-f]+)` of it/)?.1, "\(deleted)")
        #expect(try await ec2.describeVolumes().contains { $0.volumeID == loose } == false)
        #expect(try await ec2.describeSnapshots().contains { $0.snapshotID == snapshot }, "its data is kept")
        #expect(try await act(.deleteSnapshot, "snapshot", String(snapshot)) == "deleted `\(snapshot)`")
        #expect(try await ec2.describeSnapshots().contains { $0.snapshotID == snapshot } == false)

        // Attached since it was proposed: refused, and still there.
        let attached = try #require(
            try await client.query(.ec2, "CreateVolume", [("AvailabilityZone", "us-east-1a"), ("Size", "8")]).string("volumeId")
        )
        _ = try await client.query(.ec2, "AttachVolume", [("VolumeId", attached), ("InstanceId", instance), ("Device", "/dev/sdf")])
        await #expect(throws: ActionRefused.self) { try await act(.deleteVolume, "volume", attached) }
        #expect(try await ec2.describeVolumes(ids: [attached]).count == 1)

        // Another tool's stack made it (CloudFormation tags what it makes): Gaffer leaves it to that stack.
        let cloudFormation = CloudFormation(client, region: "us-east-1")
        let template = "Resources:\n  Data:\n    Type: AWS::EC2::Volume\n    Properties:\n      AvailabilityZone: us-east-1a\n      Size: 8\n"
        _ = try await cloudFormation.createStack(CloudFormation.StackInput(stackName: "team-storage", templateBody: template))
        try await waitUntil(timeout: .seconds(60), "the stack") {
            try await cloudFormation.describeStacks(name: "team-storage").first?.status == "CREATE_COMPLETE"
        }
        let stacked = try #require(try await cloudFormation.describeStackResources("team-storage").first?.physicalResourceID)
        await #expect(throws: ActionRefused.self) { try await act(.deleteVolume, "volume", stacked) }
        #expect(try await ec2.describeVolumes(ids: [stacked]).count == 1)

        let free = try #require(try await client.query(.ec2, "AllocateAddress", [("Domain", "vpc")]).string("allocationId"))
        #expect(try await act(.releaseAddress, "elastic-ip", free).hasPrefix("released `"))
        #expect(try await ec2.describeAddresses().contains { $0.allocationID == free } == false)
        let used = try #require(try await client.query(.ec2, "AllocateAddress", [("Domain", "vpc")]).string("allocationId"))
        _ = try await client.query(.ec2, "StartInstances", [("InstanceId.1", instance)])
        _ = try await client.query(.ec2, "AssociateAddress", [("AllocationId", used), ("InstanceId", instance)])
        await #expect(throws: ActionRefused.self) { try await act(.releaseAddress, "elastic-ip", used) }
        #expect(try await ec2.describeAddresses().contains { $0.allocationID == used })

        // A service's tasks replaced: ECS starts a new deployment.
        let ecs = ECS(client, region: "us-east-1")
        let service = try await ECSFixture.service(client, cluster: "prod", name: "web", desired: 2)
        let before = try #require(try await ecs.describeServices([service], cluster: "prod").first?.deployments?.first?.id)
        let restarted = try await actions.perform(ResourceAction(.restartService, arn: service, account: account, region: "us-east-1"))
        #expect(restarted == "started a new deployment of `web` in `prod`, replacing its tasks")
        let after = try #require(try await ecs.describeServices([service], cluster: "prod").first?.deployments?.first?.id)
        #expect(after != before)
    }
}

/// An ECS service on moto, which runs none of its tasks: it stays `0 of N` running.
enum ECSFixture {
    /// The service's ARN.
    static func service(_ client: AWSClient, cluster: String, name: String, desired: Int) async throws -> String {
        let _: JSONValue = try await client.json(.ecs, "CreateCluster", ["clusterName": cluster])
        let _: JSONValue = try await client.json(
            .ecs,
            "RegisterTaskDefinition",
            ["family": name, "containerDefinitions": [["name": name, "image": "nginx", "memory": 128] as [String: any Sendable]]]
        )
        let made: JSONValue = try await client.json(
            .ecs,
            "CreateService",
            ["cluster": cluster, "serviceName": name, "taskDefinition": name, "desiredCount": desired]
        )
        guard case .string(let arn)? = made["service"]?["serviceArn"] else { throw ActionRefused(description: "CreateService answered \(made)") }
        return arn
    }
}
