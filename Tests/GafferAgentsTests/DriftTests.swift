import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferTestSupport
import Testing

/// A resource Gaffer made and someone changed behind its back: the health check finds the drift
/// from its stack.
@Suite struct DriftTests {
    @Test func aBucketChangedBehindGaffersBackIsFoundDrifted() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let client = try moto.client()
        let account = try await STS(client).getCallerIdentity().account
        var coordinator = try reportingCoordinator(nil)
        // The bucket as Gaffer writes it, made by its stack, and registered as an apply registers it.
        let plan = try await coordinator.plan(
            AwsTask(kind: .create, resource: .s3Bucket, region: "us-east-1", parameters: ["bucketName": .string("drift-logs")], issue: 9)
        )
        let stack = try #require(plan.stacks.first)
        let body = try #require(plan.files.text(at: stack.template))
        let cloudFormation = CloudFormation(client, region: "us-east-1")
        _ = try await cloudFormation.createStack(CloudFormation.StackInput(stackName: stack.name, templateBody: body))
        try await waitUntil(timeout: .seconds(60), "the stack") {
            try await cloudFormation.describeStacks(name: stack.name).first?.status == "CREATE_COMPLETE"
        }
        let key = StackKey(account: account, region: "us-east-1", name: stack.name)
        let registry = FixedRegistry()
        registry.set(
            try await cloudFormation.describeStackResources(stack.name).map { resource in
                RegisteredResource(
                    arn: ResourceARN.of(
                        type: resource.resourceType,
                        physicalID: resource.physicalResourceID ?? "",
                        account: account,
                        region: "us-east-1"
                    ),
                    resourceType: resource.resourceType,
                    logicalID: resource.logicalResourceID,
                    stack: key,
                    ownerAgent: .infrastructure,
                    costPerDayUSD: nil,
                    repository: "acme/infra",
                    issue: 9,
                    updatedAt: Date()
                )
            }
        )
        coordinator.reports = ReportSources(base: client, registry: registry)
        func bucket() async throws -> ReportResource {
            let health = try await coordinator.plan(AwsTask(kind: .healthCheck, resource: .s3Bucket, region: "us-east-1"))
            let report = try #require(health.steps.first?.output?.report, "\(health.steps.first?.error ?? "")")
            return try #require(report.resources.first { $0.id == "drift-logs" })
        }

        // moto's CloudFormation makes the bucket without its versioning and public access block: set them as the
        // stack says, as AWS would have, so the bucket starts in agreement with its stack.
        try await S3(client).putBucketVersioning("drift-logs", enabled: true)
        try await S3(client).putPublicAccessBlock("drift-logs", S3.PublicAccessBlock())

        let before = try await bucket()
        #expect(before.managed)
        #expect(before.health == .healthy, "\(before.evidence)")
        #expect(before.evidence.first?.hasPrefix("matches its stack (versioning, encryption, public access block") == true, "\(before.evidence)")

        // Someone turns versioning off and lifts the public access block by hand.
        try await S3(client).putBucketVersioning("drift-logs", enabled: false)
        var open = S3.PublicAccessBlock()
        open.blockPublicPolicy = false
        try await S3(client).putPublicAccessBlock("drift-logs", open)
        let after = try await bucket()
        #expect(after.health == .degraded)
        #expect(after.evidence.contains("drifted: versioning is Enabled in the stack \(stack.name) but Suspended in AWS"), "\(after.evidence)")
        #expect(after.evidence.contains("drifted: public access block BlockPublicPolicy is true in the stack \(stack.name) but false in AWS"))
        #expect(after.evidence.count == 2, "what still matches is not reported as drift: \(after.evidence)")
    }
}
