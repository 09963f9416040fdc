import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferTestSupport
import Testing

/// Every stack Gaffer writes is created on moto and its main resource read back through its own
/// service's API with the values the task asked for; a second render is shown as a change set.
@Suite(.serialized) struct MotoDeploymentTests {
    /// Resource types moto's CloudFormation does not create ("not supported by moto's CloudFormation
    /// implementation"): templates using them are still linted, and the rest of their stack is created.
    static let motoGaps: Set<String> = [
        "AWS::CloudFront::Distribution", "AWS::CloudWatch::Alarm", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy",
        "AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage",
    ]

    /// Stacks moto cannot take at all, linted like the rest: its parser fails on outputs that read a
    /// resource it does not create (the distribution's id and domain name), and its API Gateway
    /// method insists on an integration `Uri`, which a MOCK integration does not have.
    static let uncreatable: Set<String> = ["cloudFrontDistribution", "apiGateway"]

    /// The change each update makes, and the resource that must show `Modify`.
    static let updates: [String: (parameters: [String: String], resource: String)] = [
        "s3Bucket": (["versioning": "false"], "Bucket"),
        "dynamoDBTable": (["ttlAttribute": "expiresAt"], "Table"),
        "lambdaFunction": (["memorySize": "512"], "Function"),
        "ec2Instance": (["instanceType": "t3.small"], "Instance"),
        "rdsInstance": (["allocatedStorage": "40"], "Database"),
        "vpc": (["enableDnsHostnames": "false"], "VPC"),
        "snsTopic": (["displayName": "Order events"], "Topic"),
        "ecsService": (["desiredCount": "3"], "Service"),
    ]

    @Test func everyStackCreatesOnMotoAndReadsBackAsAsked() async throws {
        // moto checks no Lambda signature correctly (see GafferAWSTests.lambdaFunctions); signing is proven there.
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let client = try moto.client()
        let cloudFormation = CloudFormation(client)
        let machine = try await MotoMachine.prepare(client)
        for resource in ResourceKind.singleResources where !Self.uncreatable.contains(resource.name) {
            for variant in ExampleTasks.Variant.allCases {
                let task = try ExampleTasks.task(resource, variant, replacing: resource == .ec2Instance ? machine.ec2Parameters(variant) : [:])
                let plan = try await TestCoordinator.plan(task)
                try #require(plan.state == .ready, "\(resource.name) \(variant.rawValue): \(plan.failureReasons)")
                let suffix = variant.rawValue
                for stack in plan.stacks {
                    let body = try #require(plan.files.text(at: stack.template))
                    // Both variants name the same resources; each gets a stack and names of its own.
                    let name = "\(stack.name)-\(suffix)"
                    try await Self.create(cloudFormation, name: name, body: body, label: "\(resource.name) \(variant.rawValue)")
                    let created = Set(try await cloudFormation.describeStackResources(name).map(\.resourceType))
                    let declared = Set(try CloudFormationDocument(path: stack.template, text: body).resources.map(\.type))
                    let missing = declared.subtracting(created).subtracting(Self.motoGaps)
                    #expect(
                        missing.isEmpty,
                        "\(resource.name) \(variant.rawValue): moto did not create \(missing.sorted()) and they are not listed as moto gaps"
                    )
                }
                try await ReadBack.expect(task, client: client, machine: machine)
                // The next variant uses the same names; delete this one's stacks (data resources are retained by policy, so drop them too).
                for stack in plan.stacks.reversed() { try? await cloudFormation.deleteStack("\(stack.name)-\(suffix)") }
                try await ReadBack.cleanUp(task, client: client)
            }
        }
    }

    @Test func aSecondRenderWithChangedParametersShowsModifyOnTheRightResource() async throws {
        // moto checks no Lambda signature correctly (see GafferAWSTests.lambdaFunctions); signing is proven there.
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let client = try moto.client()
        let cloudFormation = CloudFormation(client)
        let machine = try await MotoMachine.prepare(client)
        for resource in ResourceKind.singleResources {
            guard let update = Self.updates[resource.name], !Self.uncreatable.contains(resource.name) else { continue }
            let extra = resource == .ec2Instance ? machine.ec2Parameters(.examples) : [:]
            let first = try await TestCoordinator.plan(try ExampleTasks.task(resource, .examples, replacing: extra))
            let second = try await TestCoordinator.plan(
                try ExampleTasks.task(resource, .examples, kind: .update, replacing: extra.merging(update.parameters) { $1 })
            )
            let stack = try #require(first.stacks.first)
            try await Self.create(cloudFormation, name: stack.name, body: try #require(first.files.text(at: stack.template)), label: resource.name)
            var input = CloudFormation.StackInput(stackName: stack.name, templateBody: try #require(second.files.text(at: stack.template)))
            input.capabilities = ["CAPABILITY_IAM"]
            let id = try await cloudFormation.createChangeSet(input, name: "gaffer-update", type: "UPDATE")
            let changeSet = try await cloudFormation.describeChangeSet(id, stackName: stack.name)
            let modified = changeSet.changes.filter { $0.action == "Modify" }.map(\.logicalResourceID)
            #expect(
                modified.contains(update.resource),
                "\(resource.name): the change set modifies \(modified), not \(update.resource) (\(changeSet.changes))"
            )
            try? await cloudFormation.deleteStack(stack.name)
            try await ReadBack.cleanUp(first.task, client: client)
        }
    }

    /// Creates a stack and waits (polling, with a deadline) for CREATE_COMPLETE.
    static func create(_ cloudFormation: CloudFormation, name: String, body: String, label: String) async throws {
        var input = CloudFormation.StackInput(stackName: name, templateBody: body)
        input.capabilities = ["CAPABILITY_IAM"]
        do {
            _ = try await cloudFormation.createStack(input)
        } catch {
            Issue.record("\(label): CreateStack \(name): \(error)")
            throw error
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let status = try await cloudFormation.describeStacks(name: name).first?.status ?? "?"
            if status == "CREATE_COMPLETE" { return }
            if !status.hasSuffix("IN_PROGRESS") || ContinuousClock.now > deadline {
                let events = try await cloudFormation.describeStackEvents(name).compactMap { $0.statusReason }.joined(separator: "; ")
                Issue.record("\(label): stack \(name) is \(status): \(events)")
                throw AgentError("stack \(name) is \(status)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// What moto needs to exist before an instance can be launched with every field set.
struct MotoMachine: Sendable {
    let imageID: String
    let rootDevice: String
    let subnetID: String

    static func prepare(_ client: AWSClient) async throws -> MotoMachine {
        let images = try await client.query(.ec2, "DescribeImages", [("Owner.1", "amazon")])
        let image = try #require(images.list("imagesSet").first { $0.string("imageId")?.hasPrefix("ami-") == true })
        let subnets = try await client.query(.ec2, "DescribeSubnets")
        let subnet = try #require(subnets.list("subnetSet").first?.string("subnetId"))
        _ = try await client.query(.ec2, "CreateKeyPair", [("KeyName", "ops-key")])
        return MotoMachine(
            imageID: try #require(image.string("imageId")),
            rootDevice: image.string("rootDeviceName") ?? "/dev/xvda",
            subnetID: subnet
        )
    }

    func ec2Parameters(_ variant: ExampleTasks.Variant) -> [String: String] {
        var parameters = ["imageId": imageID]
        if variant == .everyField {
            parameters["subnetId"] = subnetID
            parameters["rootDeviceName"] = rootDevice
        }
        return parameters
    }
}
