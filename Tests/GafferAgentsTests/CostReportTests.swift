import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferTestSupport
import Testing

/// The cost report against moto: Cost Explorer's answers set through moto's API, and resources
/// idle, unattached, unused or over-provisioned beside others that are not.
@Suite(.serialized) struct CostReportTests {
    static func day(_ offset: Int, from now: Date = Date()) -> String {
        let format = DateFormatter()
        format.timeZone = TimeZone(identifier: "UTC")
        format.locale = Locale(identifier: "en_US_POSIX")
        format.dateFormat = "yyyy-MM-dd"
        return format.string(from: Calendar(identifier: .gregorian).startOfDay(for: now).addingTimeInterval(Double(offset) * 86_400))
    }

    /// Thirty days of spending: EC2 $2 and S3 $1 a day; $2.50 a day of it tagged to issue #7.
    static func queueCosts(_ moto: MotoServer) async throws {
        func days(_ groups: [(String, Double)]) -> [[String: Any]] {
            (-30..<0).map { offset in
                [
                    "TimePeriod": ["Start": day(offset), "End": day(offset + 1)], "Total": [:], "Estimated": false,
                    "Groups": groups.map { ["Keys": [$0.0], "Metrics": ["UnblendedCost": ["Amount": String($0.1), "Unit": "USD"]]] },
                ]
            }
        }
        let body: [String: Any] = [
            "results": [
                ["ResultsByTime": days([("Amazon Elastic Compute Cloud - Compute", 2), ("Amazon Simple Storage Service", 1)])],
                ["ResultsByTime": days([("gaffer:issue$7", 2.5), ("gaffer:issue$", 0.5)])],
            ]
        ]
        let answer = try await JSONRequest.send("POST", "\(moto.endpoint)/moto-api/static/ce/cost-and-usage-results", body)
        #expect((200..<300).contains(answer.status))
    }

    static func report(_ moto: MotoServer, clock: any WallClock = SystemWallClock()) async throws -> Report {
        let coordinator = try reportingCoordinator(ReportSources(base: try moto.client(), registry: EmptyRegistry()), clock: clock)
        let plan = try await coordinator.plan(AwsTask(kind: .optimizeCosts, resource: nil, region: "us-east-1"))
        #expect(plan.steps.first?.state == .succeeded, "\(plan.steps.first?.error ?? "")")
        return try #require(plan.steps.first?.output?.report)
    }

    @Test func theCostReportSaysWhatWasSpentAndWhatCouldBeSaved() async throws {
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let client = try moto.client()
        try await Self.queueCosts(moto)

        let run = try await client.query(
            .ec2,
            "RunInstances",
            [("ImageId", "ami-12c6146b"), ("MinCount", "2"), ("MaxCount", "2"), ("InstanceType", "t3.large")]
        )
        let ids = run.list("instancesSet").compactMap { $0.string("instanceId") }
        try await MetricSeeding.putDaily(client, "AWS/EC2", "CPUUtilization", ("InstanceId", ids[0]), 1.5)
        try await MetricSeeding.putDaily(client, "AWS/EC2", "CPUUtilization", ("InstanceId", ids[1]), 60)
        let loose = try await client.query(.ec2, "CreateVolume", [("AvailabilityZone", "us-east-1a"), ("Size", "100"), ("VolumeType", "gp3")])
        _ = try await client.query(.ec2, "AllocateAddress", [("Domain", "vpc")])
        _ = try await client.query(
            .rds,
            "CreateDBInstance",
            [
                ("DBInstanceIdentifier", "quiet-db"), ("DBInstanceClass", "db.t3.medium"), ("Engine", "postgres"), ("AllocatedStorage", "20"),
                ("MasterUsername", "admin"), ("MasterUserPassword", "not-a-secret-1"),
            ]
        )
        try await MetricSeeding.putDaily(client, "AWS/RDS", "CPUUtilization", ("DBInstanceIdentifier", "quiet-db"), 3)
        let key: [String: any Sendable] = [
            "AttributeDefinitions": [["AttributeName": "id", "AttributeType": "S"]], "KeySchema": [["AttributeName": "id", "KeyType": "HASH"]],
        ]
        var provisioned = key
        provisioned["TableName"] = "big-table"
        provisioned["ProvisionedThroughput"] = ["ReadCapacityUnits": 100, "WriteCapacityUnits": 50]
        let _: JSONValue = try await client.json(.dynamoDB, "CreateTable", provisioned)
        try await MetricSeeding.putDaily(client, "AWS/DynamoDB", "ConsumedReadCapacityUnits", ("TableName", "big-table"), 86_400)  // 1 a second
        try await MetricSeeding.putDaily(client, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", ("TableName", "big-table"), 43_200)
        var onDemand = key
        onDemand["TableName"] = "on-demand"
        onDemand["BillingMode"] = "PAY_PER_REQUEST"
        let _: JSONValue = try await client.json(.dynamoDB, "CreateTable", onDemand)

        // A function with 1,024 MB that never used more than 12% of it, 10,000 times a day for 200 ms; and one that uses its memory.
        let trust =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        let role =
            try await client.query(.iam, "CreateRole", [("RoleName", "fn"), ("AssumeRolePolicyDocument", trust)]).at("Role", "Arn")?.text ?? ""
        for (name, used) in [("resize-images", 12.0), ("busy-worker", 80.0)] {
            let body = try JSONSerialization.data(withJSONObject: [
                "FunctionName": name, "Runtime": "python3.12", "Role": role, "Handler": "app.handler", "MemorySize": 1024,
                "Code": ["ZipFile": Data("PK\u{5}\u{6}".utf8 + Data(count: 18)).base64EncodedString()],
            ])
            _ = try await client.send(AWSRequest(operation: "CreateFunction", method: "POST", path: "/2015-03-31/functions", body: body), to: .lambda)
            try await MetricSeeding.putDaily(client, "LambdaInsights", "memory_utilization", ("function_name", name), used)
            try await MetricSeeding.putDaily(client, "AWS/Lambda", "Invocations", ("FunctionName", name), 10_000)
            try await MetricSeeding.putDaily(client, "AWS/Lambda", "Duration", ("FunctionName", name), 200)
        }

        let report = try await Self.report(moto)
        let costs = try #require(report.costs)
        #expect(abs(costs.totalUSD - 90) < 0.001)
        #expect(costs.byService.map(\.name) == ["Amazon Elastic Compute Cloud - Compute", "Amazon Simple Storage Service"])
        #expect(abs((costs.byService.first?.usd ?? 0) - 60) < 0.001)
        #expect(costs.byIssue.map(\.name) == ["#7", "untagged"])
        // $3 a day: the month so far plus $3 for each day left.
        let calendar = Calendar(identifier: .gregorian)
        let today = calendar.dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).day ?? 1
        #expect(abs(costs.monthToDateUSD - Double(today - 1) * 3) < 0.001)
        let daysInMonth = calendar.range(of: .day, in: .month, for: Date())?.count ?? 30
        #expect(abs(costs.forecastUSD - Double(daysInMonth) * 3) < 0.001)

        let rules = Dictionary(grouping: report.proposals, by: \.rule)
        #expect(rules["EC2-IDLE"]?.map(\.resource) == ["arn:aws:ec2:us-east-1:123456789012:instance/\(ids[0])"], "the busy one is not proposed")
        #expect(abs((rules["EC2-IDLE"]?.first?.monthlySavingUSD ?? 0) - 0.0832 * 730) < 0.01)
        #expect(rules["EBS-UNATTACHED"]?.first?.resource.hasSuffix(loose.string("volumeId") ?? "?") == true)
        #expect(abs((rules["EBS-UNATTACHED"]?.first?.monthlySavingUSD ?? 0) - 8) < 0.01)
        #expect(rules["EIP-UNUSED"]?.count == 1)
        #expect(rules["RDS-OVERSIZED"]?.first?.action == "move it to db.t3.small")
        #expect(rules["DYNAMODB-OVERPROVISIONED"]?.map { String($0.resource.split(separator: "/").last ?? "") } == ["big-table"])
        #expect(rules["DYNAMODB-OVERPROVISIONED"]?.first?.action.hasPrefix("lower its capacity to 2 reads and 1 writes") == true)
        #expect(rules["LAMBDA-OVERSIZED"]?.map(\.resource) == ["arn:aws:lambda:us-east-1:123456789012:function:resize-images"])
        #expect(rules["LAMBDA-OVERSIZED"]?.first?.action == "lower its memory to 512 MB")
        // 300,000 calls a month × 0.2 s × 0.5 GB saved × $0.0000166667 a GB-second.
        #expect(abs((rules["LAMBDA-OVERSIZED"]?.first?.monthlySavingUSD ?? 0) - 0.5) < 0.001)
        #expect(report.proposals.map(\.monthlySavingUSD) == report.proposals.map(\.monthlySavingUSD).sorted(by: >), "largest saving first")
        #expect(report.proposals.map(\.id) == report.proposals.indices.map { "P\($0 + 1)" }, "what `/approve P2` names")
        // The task change an approval of a Gaffer-made resource's proposal would ask for, in the task's own parameters.
        #expect(rules["LAMBDA-OVERSIZED"]?.first?.taskChange == ["memorySize": .integer(512)])
        #expect(rules["DYNAMODB-OVERPROVISIONED"]?.first?.taskChange == ["readCapacityUnits": .integer(2), "writeCapacityUnits": .integer(1)])
        #expect(rules["RDS-OVERSIZED"]?.first?.taskChange == ["dbInstanceClass": .string("db.t3.small")])
        #expect(rules["EC2-IDLE"]?.first?.taskChange == nil, "stopping an instance is no task parameter")
        #expect(report.gaps.isEmpty, "\(report.gaps)")

        // A hundred days on, the instance's and table's week of metrics is out of the window (no verdict), and moto's snapshots are old.
        let later = try await Self.report(moto, clock: ManualWallClock(Date().addingTimeInterval(100 * 86_400)))
        #expect(!later.proposals.contains { $0.rule == "EC2-IDLE" || $0.rule == "DYNAMODB-OVERPROVISIONED" })
        #expect(later.proposals.contains { $0.rule == "EBS-SNAPSHOT-OLD" && $0.evidence.contains("days old") })
    }
}
