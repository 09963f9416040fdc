import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferPipeline
import GafferTestSupport
import Testing

/// The read and change operations the agents use, each against moto with signatures checked
/// (Lambda excepted: see its test). Resources are made first with plain protocol calls, so
/// that the typed operations under test only read what is really there.
@Suite struct ServiceOperationsTests {
    @Test func ec2InstancesVolumesGroupsAddressesAndRegions() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let client = try moto.client()
        let ec2 = EC2(client)
        let run = try await client.query(
            .ec2,
            "RunInstances",
            [("ImageId", "ami-12c6146b"), ("MinCount", "2"), ("MaxCount", "2"), ("InstanceType", "t3.micro")]
        )
        let ids = run.list("instancesSet").compactMap { $0.string("instanceId") }
        #expect(ids.count == 2)

        try await ec2.createTags(resources: [ids[0]], tags: ["team": "web", "Name": "web-1"])
        let instances = try await ec2.describeInstances()
        #expect(Set(instances.map(\.instanceID)) == Set(ids))
        #expect(instances.allSatisfy { $0.instanceType == "t3.micro" && $0.state == "running" })
        let tagged = try await ec2.describeInstances(filters: ["tag:team": ["web"]])
        #expect(tagged.map(\.instanceID) == [ids[0]])
        #expect(tagged.first?.tags == ["team": "web", "Name": "web-1"])

        let stopped = try await ec2.stopInstances([ids[1]])
        #expect(stopped.map { "\($0.instanceID) \($0.previousState)→\($0.currentState)" } == ["\(ids[1]) running→stopping"])
        #expect(try await ec2.describeInstances(ids: [ids[1]]).first?.state == "stopped")
        #expect(try await ec2.startInstances([ids[1]]).first?.previousState == "stopped")

        _ = try await client.query(
            .ec2,
            "CreateVolume",
            [("AvailabilityZone", "us-east-1a"), ("Size", "50"), ("VolumeType", "gp3"), ("Encrypted", "true")]
        )
        let volumes = try await ec2.describeVolumes()
        let loose = volumes.filter { $0.attachedTo.isEmpty }
        #expect(loose.count == 1)
        #expect(loose.first?.sizeGiB == 50)
        #expect(loose.first?.encrypted == true)
        #expect(volumes.contains { $0.attachedTo == [ids[0]] })  // the instances' root volumes

        let allocated = try await client.query(.ec2, "AllocateAddress", [("Domain", "vpc")])
        let addresses = try await ec2.describeAddresses()
        #expect(addresses.map(\.publicIP) == [allocated.string("publicIp") ?? "?"])
        #expect(addresses.first?.associationID == nil)

        _ = try await client.query(
            .ec2,
            "AuthorizeSecurityGroupIngress",
            [
                ("GroupName", "default"), ("IpPermissions.1.IpProtocol", "tcp"), ("IpPermissions.1.FromPort", "22"), ("IpPermissions.1.ToPort", "22"),
                ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
            ]
        )
        let groups = try await ec2.describeSecurityGroups(filters: ["group-name": ["default"]])
        #expect(
            groups.first?.ingress.contains { $0.ipProtocol == "tcp" && $0.fromPort == 22 && $0.toPort == 22 && $0.cidrs == ["0.0.0.0/0"] } == true
        )

        let regions = try await ec2.describeRegions()
        #expect(regions.contains("eu-west-1") && regions.contains("us-east-1"))
        let refused = try await #require(throws: AWSServiceError.self) { try await ec2.describeInstances(ids: ["i-00000000000000000"]) }
        #expect(refused.code == "InvalidInstanceID.NotFound")
    }

    @Test func dynamoDBRDSAndCloudWatch() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let client = try moto.client()

        for name in ["jobs", "events", "users"] {
            let _: JSONValue = try await client.json(
                .dynamoDB,
                "CreateTable",
                [
                    "TableName": name, "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [["AttributeName": "id", "AttributeType": "S"]],
                    "KeySchema": [["AttributeName": "id", "KeyType": "HASH"]],
                ]
            )
        }
        let dynamo = DynamoDB(client)
        let first = try await dynamo.listTables(limit: 2)
        #expect(first.tableNames.count == 2)
        let rest = try await dynamo.listTables(startAfter: try #require(first.lastEvaluatedTableName))
        #expect((first.tableNames + rest.tableNames).sorted() == ["events", "jobs", "users"])
        #expect(rest.lastEvaluatedTableName == nil)
        let table = try await dynamo.describeTable("jobs")
        #expect(table.tableStatus == "ACTIVE")
        #expect(table.billingMode == "PAY_PER_REQUEST")
        #expect(table.keySchema.map { "\($0.attributeName):\($0.keyType)" } == ["id:HASH"])
        #expect(table.tableArn == "arn:aws:dynamodb:us-east-1:123456789012:table/jobs")
        let missing = try await #require(throws: AWSServiceError.self) { try await dynamo.describeTable("nope") }
        #expect(missing.code == "ResourceNotFoundException")

        _ = try await client.query(
            .rds,
            "CreateDBInstance",
            [
                ("DBInstanceIdentifier", "orders"), ("DBInstanceClass", "db.t3.micro"), ("Engine", "postgres"), ("AllocatedStorage", "20"),
                ("MasterUsername", "admin"), ("MasterUserPassword", "password123"), ("StorageEncrypted", "true"), ("MultiAZ", "false"),
            ]
        )
        let databases = try await RDS(client).describeDBInstances()
        #expect(databases.map(\.identifier) == ["orders"])
        #expect(databases.first?.engine == "postgres")
        #expect(databases.first?.storageEncrypted == true)
        #expect(try await RDS(client).describeDBInstances(identifier: "orders").first?.instanceClass == "db.t3.micro")

        let cloudWatch = CloudWatch(client)
        var alarm = CloudWatch.AlarmInput(
            name: "orders-cpu",
            namespace: "AWS/RDS",
            metricName: "CPUUtilization",
            threshold: 80,
            comparisonOperator: "GreaterThanThreshold"
        )
        alarm.dimensions = ["DBInstanceIdentifier": "orders"]
        alarm.evaluationPeriods = 3
        try await cloudWatch.putMetricAlarm(alarm)
        let alarms = try await cloudWatch.describeAlarms(prefix: "orders")
        #expect(alarms.map(\.name) == ["orders-cpu"])
        #expect(alarms.first?.threshold == 80)
        #expect(alarms.first?.comparisonOperator == "GreaterThanThreshold")

        let now = Date()
        for (index, value) in [10.0, 30.0].enumerated() {
            _ = try await client.query(
                .cloudWatch,
                "PutMetricData",
                [
                    ("Namespace", "Gaffer"), ("MetricData.member.1.MetricName", "Builds"), ("MetricData.member.1.Value", String(value)),
                    ("MetricData.member.1.Dimensions.member.1.Name", "Repo"), ("MetricData.member.1.Dimensions.member.1.Value", "acme/web"),
                    ("MetricData.member.1.Timestamp", ISO8601DateFormatter().string(from: now.addingTimeInterval(Double(index - 2) * 60))),
                ]
            )
        }
        let results = try await cloudWatch.getMetricData(
            [
                CloudWatch.MetricQuery(
                    id: "builds",
                    namespace: "Gaffer",
                    metricName: "Builds",
                    dimensions: ["Repo": "acme/web"],
                    period: 3600,
                    stat: "Sum"
                )
            ],
            start: now.addingTimeInterval(-3600),
            end: now.addingTimeInterval(600)
        )
        #expect(results.map(\.id) == ["builds"])
        #expect(results.first?.values.reduce(0, +) == 40)
    }

    @Test func iamRolesPoliciesTaggingAndCosts() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let client = try moto.client()
        let trust =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        _ = try await client.query(.iam, "CreateRole", [("RoleName", "orders-api"), ("Path", "/service/"), ("AssumeRolePolicyDocument", trust)])
        let document = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::orders/*"}]}"#
        let policyARN = try #require(
            try await client.query(.iam, "CreatePolicy", [("PolicyName", "orders-read"), ("PolicyDocument", document)]).at("Policy", "Arn")?.text
        )
        _ = try await client.query(.iam, "AttachRolePolicy", [("RoleName", "orders-api"), ("PolicyArn", policyARN)])

        let iam = IAM(client)
        let roles = try await iam.listRoles(pathPrefix: "/service/")
        #expect(roles.roles.map(\.roleName) == ["orders-api"])
        #expect(roles.roles.first?.assumeRolePolicyDocument?.contains("lambda.amazonaws.com") == true)
        #expect(try await iam.listAttachedRolePolicies("orders-api").map { [$0.policyName, $0.policyARN] } == [["orders-read", policyARN]])
        let version = try await iam.getPolicyVersion(policyARN: policyARN, versionID: "v1")
        #expect(
            try JSONSerialization.jsonObject(with: Data(version.utf8)) as? NSDictionary == JSONSerialization.jsonObject(with: Data(document.utf8))
                as? NSDictionary
        )

        // Tagged resources of three services, found by tag.
        let s3 = S3(client)
        try await s3.createBucket("orders-assets")
        try await s3.putBucketTagging("orders-assets", tags: ["app": "orders", "env": "prod"])
        try await s3.createBucket("other-assets")
        try await s3.putBucketTagging("other-assets", tags: ["app": "other"])
        let _: JSONValue = try await client.json(
            .dynamoDB,
            "CreateTable",
            [
                "TableName": "orders", "BillingMode": "PAY_PER_REQUEST", "Tags": [["Key": "app", "Value": "orders"]],
                "AttributeDefinitions": [["AttributeName": "id", "AttributeType": "S"]], "KeySchema": [["AttributeName": "id", "KeyType": "HASH"]],
            ]
        )
        let tagging = ResourceGroupsTagging(client)
        let orders = try await tagging.allResources(tags: ["app": "orders"])
        #expect(Set(orders.map(\.arn)) == ["arn:aws:s3:::orders-assets", "arn:aws:dynamodb:us-east-1:123456789012:table/orders"])
        #expect(orders.first { $0.service == "s3" }?.tags == ["app": "orders", "env": "prod"])
        #expect(try await tagging.allResources(tags: ["app": nil]).count == 3)
        #expect(try await tagging.allResources(tags: ["app": "orders", "env": "prod"]).map(\.arn) == ["arn:aws:s3:::orders-assets"])

        // Cost Explorer answers what moto is told to answer; the client must read the real shape.
        let costs =
            #"{"results": [{"ResultsByTime": [{"TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"}, "Total": {}, "#
            + #""Groups": [{"Keys": ["Amazon Simple Storage Service"], "Metrics": {"UnblendedCost": {"Amount": "12.34", "Unit": "USD"}}}], "Estimated": false}]}]}"#
        let configured = try await AsyncHTTPClientAWSTransport().send(
            AWSHTTPRequest(
                method: "POST",
                url: moto.endpoint + "/moto-api/static/ce/cost-and-usage-results",
                headers: [("Content-Type", "application/json")],
                body: Data(costs.utf8)
            ),
            timeout: .seconds(10)
        )
        #expect(configured.status == 201)
        let byTime = try await CostExplorer(client).getCostAndUsage(start: "2026-10-01", end: "2026-11-01", groupBy: "SERVICE")
        #expect(byTime.first?.timePeriod.start == "2026-10-01")
        #expect(byTime.first?.groups?.first?.keys == ["Amazon Simple Storage Service"])
        #expect(byTime.first?.groups?.first?.metrics["UnblendedCost"].map { "\($0.amount) \($0.unit)" } == "12.34 USD")
    }

    @Test func parameterStoreAndSecretsManagerFeedTheBuild() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let client = try moto.client()
        try await SSM(client).putParameter("/ci/db-password", value: "hunter2-db-pass", type: "SecureString")
        _ = try await SecretsManager(client).createSecret("ci", secretString: #"{"token": "tok_9f8e7d6c5b4a"}"#)
        let found = try await SSM(client).getParameters(["/ci/db-password", "/ci/missing"])
        #expect(found.parameters.map(\.value) == ["hunter2-db-pass"])
        #expect(found.invalidParameters == ["/ci/missing"])
        #expect(try await SecretsManager(client).getSecretValue("ci").versionStages == ["AWSCURRENT"])

        let directory = try TemporaryDirectory("gaffer-aws-build")
        defer { directory.remove() }
        var request = BuildRunner.Request(
            buildspec: try BuildspecLoader.parse(
                """
                version: 0.2
                env:
                  parameter-store: {DB_PASSWORD: /ci/db-password}
                  secrets-manager: {TOKEN: "ci:token"}
                phases:
                  build:
                    commands:
                      - echo "$DB_PASSWORD"
                      - printf '%s|%s' "$DB_PASSWORD" "$TOKEN" > values.txt
                """
            ),
            sourceDirectory: directory.url.path,
            logPath: directory.url.appendingPathComponent("build.log").path
        )
        request.timeout = .seconds(60)
        let log = try BuildLog(path: request.logPath)
        let result = await BuildRunner(resolver: AWSParameterResolver(client: client)).run(request, log: log)
        #expect(result.status == .succeeded)
        #expect(try String(contentsOfFile: directory.url.path + "/values.txt", encoding: .utf8) == "hunter2-db-pass|tok_9f8e7d6c5b4a")
        #expect(!(try String(contentsOfFile: request.logPath, encoding: .utf8)).contains("hunter2-db-pass"))

        // A parameter that is not there fails the build before any command, naming it.
        request.buildspec = try BuildspecLoader.parse(
            """
            version: 0.2
            env:
              parameter-store: {MISSING: /ci/nope}
            phases:
              build:
                commands: [touch ran.txt]
            """
        )
        let failed = await BuildRunner(resolver: AWSParameterResolver(client: client)).run(request, log: try BuildLog(path: request.logPath))
        #expect(failed.status == .failed)
        #expect(!FileManager.default.fileExists(atPath: directory.url.path + "/ran.txt"))
        #expect(try String(contentsOfFile: request.logPath, encoding: .utf8).contains("/ci/nope"))
    }

    /// moto checks no Lambda signature correctly (it re-signs `/2015-03-31/functions` without its
    /// trailing slash and with the headers as the body, so boto3 is refused too): run without checks.
    @Test func lambdaFunctions() async throws {
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let client = try moto.client()
        let trust =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        let role = try #require(
            try await client.query(.iam, "CreateRole", [("RoleName", "fn"), ("AssumeRolePolicyDocument", trust)]).at("Role", "Arn")?.text
        )
        for name in ["orders-api", "orders-worker"] {
            let body = try JSONSerialization.data(withJSONObject: [
                "FunctionName": name, "Runtime": "python3.12", "Role": role, "Handler": "app.handler", "MemorySize": 256,
                "Code": ["ZipFile": Data("PK\u{5}\u{6}".utf8 + Data(count: 18)).base64EncodedString()], "Tags": ["app": "orders"],
            ])
            _ = try await client.send(AWSRequest(operation: "CreateFunction", method: "POST", path: "/2015-03-31/functions", body: body), to: .lambda)
        }
        let lambda = Lambda(client)
        let all = try await lambda.listFunctions()
        #expect(all.functions.map(\.functionName).sorted() == ["orders-api", "orders-worker"])
        let details = try await lambda.getFunction("orders-api")
        #expect(details.configuration.runtime == "python3.12")
        #expect(details.configuration.memorySize == 256)
        #expect(details.tags == ["app": "orders"])
        let missing = try await #require(throws: AWSServiceError.self) { try await lambda.getFunction("nope") }
        #expect(missing.code == "ResourceNotFoundException")
        #expect(missing.status == 404)
    }
}
