import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferTestSupport
import Synchronization
import Testing

/// A resource Gaffer made and someone changed behind its back: the health check finds the drift
/// from its stack.
@Suite struct DriftTests {
    @Test func aBucketChangedBehindGaffersBackIsFoundDrifted() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let client = try moto.client()
        let (registry, stack) = try await Self.managedBucket(client)
        var coordinator = try reportingCoordinator(nil)
        coordinator.reports = ReportSources(base: client, registry: registry)
        func bucket() async throws -> ReportResource { try await Self.healthOfTheBucket(coordinator) }
        // moto's CloudFormation makes the bucket without its versioning and public access block: set them as the
        // stack says, as AWS would have, so the bucket starts in agreement with its stack.
        try await S3(client).putBucketVersioning("drift-logs", enabled: true)
        try await S3(client).putPublicAccessBlock("drift-logs", S3.PublicAccessBlock())

        let before = try await bucket()
        #expect(before.managed)
        #expect(before.health == .healthy, "\(before.evidence)")
        #expect(before.evidence.first?.hasPrefix("matches its stack (versioning, encryption, public access block") == true, "\(before.evidence)")
        #expect(
            before.evidence.first?.hasSuffix("; compared by Gaffer, as CloudFormation drift detection failed: InternalError (HTTP 500))") == true,
            "moto has no drift detection, and the evidence says how drift was judged: \(before.evidence)"
        )

        // Someone turns versioning off and lifts the public access block by hand.
        try await S3(client).putBucketVersioning("drift-logs", enabled: false)
        var open = S3.PublicAccessBlock()
        open.blockPublicPolicy = false
        try await S3(client).putPublicAccessBlock("drift-logs", open)
        let after = try await bucket()
        #expect(after.health == .degraded)
        #expect(after.evidence.contains("drifted: versioning is Enabled in the stack \(stack) but Suspended in AWS"), "\(after.evidence)")
        #expect(after.evidence.contains("drifted: public access block BlockPublicPolicy is true in the stack \(stack) but false in AWS"))
        #expect(after.evidence.last == "drift compared by Gaffer, as CloudFormation drift detection failed: InternalError (HTTP 500)")
        #expect(after.evidence.count == 3, "what still matches is not reported as drift: \(after.evidence)")
    }

    /// Where AWS runs CloudFormation's drift detection, its verdict is used: it is started, waited
    /// for and read. moto has none, so this endpoint answers the three drift calls as AWS documents
    /// them and passes everything else to moto.
    @Test func cloudFormationsOwnDriftDetectionIsUsedWhereItRuns() async throws {
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let (registry, stack) = try await Self.managedBucket(try moto.client())
        let asked = Mutex<[String]>([])
        let endpoint = try await StubHTTPServer.start { request in
            let form = String(decoding: request.body, as: UTF8.self)
            guard let action = form.firstMatch(of: /Action=(\w*Drift\w*)/)?.1 else { return await request.forward(to: moto.endpoint) }
            let count = asked.withLock { asked in
                asked.append(String(action))
                return asked.filter { $0 == action }.count
            }
            let result: String
            switch action {
            case "DetectStackDrift":
                result = "<StackDriftDetectionId>d-1</StackDriftDetectionId>"
            case "DescribeStackDriftDetectionStatus":
                // Still running when first asked, as a real detection is.
                let status = count == 1 ? "DETECTION_IN_PROGRESS" : "DETECTION_COMPLETE"
                result =
                    "<StackDriftDetectionId>d-1</StackDriftDetectionId><DetectionStatus>\(status)</DetectionStatus><StackDriftStatus>DRIFTED</StackDriftStatus>"
            default:
                result = """
                    <StackResourceDrifts><member>
                      <LogicalResourceId>Bucket</LogicalResourceId><PhysicalResourceId>drift-logs</PhysicalResourceId>
                      <ResourceType>AWS::S3::Bucket</ResourceType><StackResourceDriftStatus>MODIFIED</StackResourceDriftStatus>
                      <PropertyDifferences><member>
                        <PropertyPath>/VersioningConfiguration/Status</PropertyPath><ExpectedValue>Enabled</ExpectedValue>
                        <ActualValue>Suspended</ActualValue><DifferenceType>NOT_EQUAL</DifferenceType>
                      </member><member>
                        <PropertyPath>/Tags/1</PropertyPath><ActualValue>{"Key":"team","Value":"x"}</ActualValue><DifferenceType>ADD</DifferenceType>
                      </member></PropertyDifferences>
                    </member></StackResourceDrifts>
                    """
            }
            return StubResponse(body: "<\(action)Response><\(action)Result>\(result)</\(action)Result></\(action)Response>")
        }
        defer { Task { await endpoint.stop() } }
        var settings = AWSSettings()
        settings.endpointURL = endpoint.url
        settings.credentials = moto.credentials
        settings.maxAttempts = 1
        var coordinator = try reportingCoordinator(nil)
        coordinator.reports = ReportSources(
            base: try AWSClient.standard(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent")),
            registry: registry
        )

        let bucket = try await Self.healthOfTheBucket(coordinator)
        #expect(bucket.health == .degraded)
        #expect(
            bucket.evidence == [
                "drifted: /VersioningConfiguration/Status is Enabled in the stack \(stack) but Suspended in AWS (CloudFormation drift detection)",
                "drifted: /Tags/1 is not in the stack \(stack) but is {\"Key\":\"team\",\"Value\":\"x\"} in AWS (CloudFormation drift detection)",
            ],
            "CloudFormation's verdict replaces Gaffer's comparison, which would also have called the public access block drifted on moto"
        )
        #expect(
            asked.withLock { $0 } == [
                "DetectStackDrift", "DescribeStackDriftDetectionStatus", "DescribeStackDriftDetectionStatus", "DescribeStackResourceDrifts",
            ]
        )
    }

    /// The bucket `drift-logs` made by Gaffer's own stack on moto, and registered as an apply registers it.
    static func managedBucket(_ client: AWSClient) async throws -> (FixedRegistry, stack: String) {
        let account = try await STS(client).getCallerIdentity().account
        let coordinator = try reportingCoordinator(nil)
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
        return (registry, stack.name)
    }

    static func healthOfTheBucket(_ coordinator: Coordinator) async throws -> ReportResource {
        let health = try await coordinator.plan(AwsTask(kind: .healthCheck, resource: .s3Bucket, region: "us-east-1"))
        let report = try #require(health.steps.first?.output?.report, "\(health.steps.first?.error ?? "")")
        return try #require(report.resources.first { $0.id == "drift-logs" }, "\(report.gaps)")
    }
}
