import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferTestSupport

/// moto seeded with what the report tests look for: resources Gaffer made (in a registry the tests
/// hold) and others it did not, safe and unsafe ones, healthy and broken ones.
struct SeededAWS {
    let moto: MotoServer
    let client: AWSClient
    let registry: FixedRegistry
    let account: String
    var ids: [String: String] = [:]

    static let region = "us-east-1"

    static func start() async throws -> SeededAWS {
        // Unauthenticated: moto checks no Lambda signature correctly (see ServiceOperationsTests).
        let moto = try await MotoServer.start(authenticated: false)
        do {
            let client = try moto.client()
            let account = try await STS(client).getCallerIdentity().account
            var seeded = SeededAWS(moto: moto, client: client, registry: FixedRegistry(), account: account)
            try await seeded.seed()
            return seeded
        } catch {
            moto.stop()
            throw error
        }
    }

    func stop() { moto.stop() }

    func sources(registry: (any RegistryReading)? = nil) -> ReportSources {
        ReportSources(base: client, registry: registry ?? self.registry)
    }

    private mutating func seed() async throws {
        let s3 = S3(client)
        // Gaffer's bucket, made safe as its stacks make them.
        try await s3.createBucket("gaffer-logs")
        try await s3.putPublicAccessBlock("gaffer-logs", S3.PublicAccessBlock())
        try await s3.putBucketEncryption("gaffer-logs", S3.Encryption(algorithm: "AES256"))
        let policy =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::gaffer-logs/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#
        _ = try await client.send(
            AWSRequest(operation: "PutBucketPolicy", method: "PUT", query: [("policy", "")], body: Data(policy.utf8), bucket: "gaffer-logs"),
            to: .s3
        )
        try await s3.putBucketTagging("gaffer-logs", tags: ["gaffer:issue": "7"])
        // Someone else's, open.
        try await s3.createBucket("loose-uploads")
        // In another region: not in a us-east-1 report.
        try await S3(client, region: "eu-west-1").createBucket("far-bucket")

        _ = try await client.json(
            .dynamoDB,
            "CreateTable",
            [
                "TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [["AttributeName": "id", "AttributeType": "S"]], "KeySchema": [["AttributeName": "id", "KeyType": "HASH"]],
            ],
            as: JSONValue.self
        )

        let trust =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        let role =
            try await client.query(.iam, "CreateRole", [("RoleName", "fn"), ("AssumeRolePolicyDocument", trust)]).at("Role", "Arn")?.text ?? ""
        for name in ["orders-api", "orders-quiet"] {
            let body = try JSONSerialization.data(withJSONObject: [
                "FunctionName": name, "Runtime": "python3.12", "Role": role, "Handler": "app.handler",
                "Code": ["ZipFile": Data("PK\u{5}\u{6}".utf8 + Data(count: 18)).base64EncodedString()],
            ])
            _ = try await client.send(AWSRequest(operation: "CreateFunction", method: "POST", path: "/2015-03-31/functions", body: body), to: .lambda)
        }
        // orders-api failed three times in the last hour; orders-quiet ran cleanly.
        for (name, metric, value) in [("orders-api", "Errors", "3"), ("orders-quiet", "Errors", "0"), ("orders-quiet", "Invocations", "12")] {
            _ = try await client.query(
                .cloudWatch,
                "PutMetricData",
                [
                    ("Namespace", "AWS/Lambda"), ("MetricData.member.1.MetricName", metric), ("MetricData.member.1.Value", value),
                    ("MetricData.member.1.Dimensions.member.1.Name", "FunctionName"), ("MetricData.member.1.Dimensions.member.1.Value", name),
                ]
            )
        }

        let group = try await client.query(.ec2, "CreateSecurityGroup", [("GroupName", "wide-open"), ("GroupDescription", "everything")])
        ids["wide-open"] = group.string("groupId") ?? ""
        _ = try await client.query(
            .ec2,
            "AuthorizeSecurityGroupIngress",
            [
                ("GroupId", ids["wide-open"] ?? ""),
                ("IpPermissions.1.IpProtocol", "tcp"), ("IpPermissions.1.FromPort", "22"), ("IpPermissions.1.ToPort", "22"),
                ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
                ("IpPermissions.2.IpProtocol", "tcp"), ("IpPermissions.2.FromPort", "5432"), ("IpPermissions.2.ToPort", "5432"),
                ("IpPermissions.2.IpRanges.1.CidrIp", "0.0.0.0/0"),
                ("IpPermissions.3.IpProtocol", "tcp"), ("IpPermissions.3.FromPort", "443"), ("IpPermissions.3.ToPort", "443"),
                ("IpPermissions.3.IpRanges.1.CidrIp", "0.0.0.0/0"),
            ]
        )
        let volume = try await client.query(.ec2, "CreateVolume", [("AvailabilityZone", "us-east-1a"), ("Size", "20"), ("Encrypted", "false")])
        ids["plain-volume"] = volume.string("volumeId") ?? ""
        let run = try await client.query(
            .ec2,
            "RunInstances",
            [("ImageId", "ami-12c6146b"), ("MinCount", "1"), ("MaxCount", "1"), ("InstanceType", "t3.micro")]
        )
        ids["instance"] = run.list("instancesSet").first?.string("instanceId") ?? ""

        _ = try await client.query(
            .rds,
            "CreateDBInstance",
            [
                ("DBInstanceIdentifier", "legacy-db"), ("DBInstanceClass", "db.t3.micro"), ("Engine", "postgres"), ("AllocatedStorage", "20"),
                ("MasterUsername", "admin"), ("MasterUserPassword", "not-a-secret-1"), ("PubliclyAccessible", "true"), ("StorageEncrypted", "false"),
            ]
        )

        _ = try await client.query(.iam, "CreateUser", [("UserName", "intern")])
        _ = try await client.query(.iam, "CreateAccessKey", [("UserName", "intern")])
        let wide = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","ec2:Describe*"],"Resource":"*"}]}"#
        _ = try await client.query(.iam, "CreatePolicy", [("PolicyName", "too-wide"), ("PolicyDocument", wide)])
        let narrow = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}"#
        _ = try await client.query(.iam, "CreatePolicy", [("PolicyName", "just-right"), ("PolicyDocument", narrow)])

        _ = try await client.query(
            .cloudWatch,
            "PutMetricAlarm",
            [
                ("AlarmName", "orders-errors"), ("Namespace", "AWS/Lambda"), ("MetricName", "Errors"), ("Statistic", "Sum"), ("Period", "60"),
                ("EvaluationPeriods", "1"), ("Threshold", "1"), ("ComparisonOperator", "GreaterThanOrEqualToThreshold"),
            ]
        )
        _ = try await client.query(.cloudWatch, "SetAlarmState", [("AlarmName", "orders-errors"), ("StateValue", "ALARM"), ("StateReason", "test")])

        let stack = StackKey(account: account, region: Self.region, name: "gaffer-7-s3-gaffer-logs")
        let gone = StackKey(account: account, region: Self.region, name: "gaffer-3-dynamodb-old-table")
        registry.set([
            RegisteredResource(
                arn: "arn:aws:s3:::gaffer-logs",
                resourceType: "AWS::S3::Bucket",
                logicalID: "Bucket",
                stack: stack,
                ownerAgent: .infrastructure,
                costPerDayUSD: 0.01,
                repository: "acme/infra",
                issue: 7,
                updatedAt: Date()
            ),
            RegisteredResource(
                arn: ResourceARN.of(type: "AWS::DynamoDB::Table", physicalID: "old-table", account: account, region: Self.region),
                resourceType: "AWS::DynamoDB::Table",
                logicalID: "Table",
                stack: gone,
                ownerAgent: .infrastructure,
                costPerDayUSD: nil,
                repository: "acme/infra",
                issue: 3,
                updatedAt: Date()
            ),
            // Elsewhere: out of a us-east-1 report's scope, so never called gone by it.
            RegisteredResource(
                arn: ResourceARN.of(type: "AWS::DynamoDB::Table", physicalID: "far-table", account: account, region: "eu-west-1"),
                resourceType: "AWS::DynamoDB::Table",
                logicalID: "Table",
                stack: StackKey(account: account, region: "eu-west-1", name: "gaffer-5-far"),
                ownerAgent: .infrastructure,
                costPerDayUSD: nil,
                repository: "acme/infra",
                issue: 5,
                updatedAt: Date()
            ),
        ])
    }
}

/// The standard agents and shipped templates, reading AWS through `reports`.
func reportingCoordinator(_ reports: ReportSources?, clock: any WallClock = SystemWallClock()) throws -> Coordinator {
    let templates = try TemplateLibrary.shipped()
    var coordinator = Coordinator(
        agents: try AgentRegistry(StandardAgents.all),
        templates: templates,
        settings: AgentSettings(prices: try PriceTable.shipped(templates)),
        store: InMemoryPlanStore(),
        clock: clock
    )
    coordinator.reports = reports
    return coordinator
}

/// A registry the test sets.
final class FixedRegistry: RegistryReading {
    private let resources = Locked<[RegisteredResource]>([])
    func set(_ value: [RegisteredResource]) { resources.update { $0 = value } }
    func registeredResources() async throws -> [RegisteredResource] { resources.value }
}
