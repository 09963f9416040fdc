import GafferCore
import Testing

/// Each AWS rule at the edge of its limits, both sides: (resource, field, value, accepted).
struct ResourceRuleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var resource: ResourceKind
        var field: String
        var value: String
        var accepted: Bool
        var testDescription: String { "\(resource.name).\(field) = \"\(value)\" \(accepted ? "ok" : "refused")" }
    }

    static func ok(_ resource: ResourceKind, _ field: String, _ value: String) -> Case {
        Case(resource: resource, field: field, value: value, accepted: true)
    }
    static func bad(_ resource: ResourceKind, _ field: String, _ value: String) -> Case {
        Case(resource: resource, field: field, value: value, accepted: false)
    }

    static let cases: [Case] = [
        // S3 bucket names
        ok(.s3Bucket, "bucketName", "abc"), bad(.s3Bucket, "bucketName", "ab"),
        ok(.s3Bucket, "bucketName", String(repeating: "a", count: 63)), bad(.s3Bucket, "bucketName", String(repeating: "a", count: 64)),
        ok(.s3Bucket, "bucketName", "logs.archive-2"), bad(.s3Bucket, "bucketName", "Logs"), bad(.s3Bucket, "bucketName", "logs_archive"),
        bad(.s3Bucket, "bucketName", "-logs"), bad(.s3Bucket, "bucketName", "logs-"), bad(.s3Bucket, "bucketName", "logs..archive"),
        bad(.s3Bucket, "bucketName", "192.168.5.4"), ok(.s3Bucket, "bucketName", "192.168.5.4a"),
        bad(.s3Bucket, "bucketName", "xn--logs"), ok(.s3Bucket, "bucketName", "xn-logs"), bad(.s3Bucket, "bucketName", "sthree-logs"),
        bad(.s3Bucket, "bucketName", "logs-s3alias"), bad(.s3Bucket, "bucketName", "logs--ol-s3"), ok(.s3Bucket, "bucketName", "logs-s3alia"),
        ok(.s3Bucket, "versioning", "Enabled"), bad(.s3Bucket, "versioning", "sometimes"),
        ok(.s3Bucket, "encryption", "sse-kms"), bad(.s3Bucket, "encryption", "rot13"),
        ok(.s3Bucket, "lifecycleDays", "1"), bad(.s3Bucket, "lifecycleDays", "0"), ok(.s3Bucket, "lifecycleDays", "36500"),
        bad(.s3Bucket, "lifecycleDays", "36501"),
        // DynamoDB
        ok(.dynamoDBTable, "tableName", "abc"), bad(.dynamoDBTable, "tableName", "ab"),
        ok(.dynamoDBTable, "tableName", String(repeating: "A", count: 255)), bad(.dynamoDBTable, "tableName", String(repeating: "A", count: 256)),
        ok(.dynamoDBTable, "tableName", "Orders_v2.prod-1"), bad(.dynamoDBTable, "tableName", "orders table"),
        ok(.dynamoDBTable, "partitionKeyType", "string"), bad(.dynamoDBTable, "partitionKeyType", "X"),
        ok(.dynamoDBTable, "billingMode", "on-demand"), bad(.dynamoDBTable, "billingMode", "free"),
        ok(.dynamoDBTable, "ttlAttribute", String(repeating: "t", count: 255)),
        bad(.dynamoDBTable, "ttlAttribute", String(repeating: "t", count: 256)),
        // Lambda
        ok(.lambdaFunction, "functionName", "a"), bad(.lambdaFunction, "functionName", ""),
        ok(.lambdaFunction, "functionName", String(repeating: "f", count: 64)),
        bad(.lambdaFunction, "functionName", String(repeating: "f", count: 65)),
        ok(.lambdaFunction, "functionName", "Resize_Images-2"), bad(.lambdaFunction, "functionName", "resize.images"),
        ok(.lambdaFunction, "runtime", "python3.13"), bad(.lambdaFunction, "runtime", "python3.9"), bad(.lambdaFunction, "runtime", "cobol"),
        ok(.lambdaFunction, "memorySize", "128"), bad(.lambdaFunction, "memorySize", "127"),
        ok(.lambdaFunction, "memorySize", "10240 MB"), bad(.lambdaFunction, "memorySize", "10241"), ok(.lambdaFunction, "memorySize", "1,024"),
        ok(.lambdaFunction, "timeout", "1"), bad(.lambdaFunction, "timeout", "0"), ok(.lambdaFunction, "timeout", "900"),
        bad(.lambdaFunction, "timeout", "901"),
        // EC2
        ok(.ec2Instance, "instanceType", "t3.micro"), ok(.ec2Instance, "instanceType", "m7i-flex.large"),
        ok(.ec2Instance, "instanceType", "c6gn.16xlarge"),
        ok(.ec2Instance, "instanceType", "r8g.metal-24xl"), bad(.ec2Instance, "instanceType", "t3"), bad(.ec2Instance, "instanceType", "t3.huge"),
        bad(.ec2Instance, "instanceType", "T3.micro"), bad(.ec2Instance, "instanceType", "t.micro"),
        ok(.ec2Instance, "imageId", "ami-12345678"), ok(.ec2Instance, "imageId", "ami-0123456789abcdef0"),
        bad(.ec2Instance, "imageId", "ami-1234567"), bad(.ec2Instance, "imageId", "ami-123456789"),
        bad(.ec2Instance, "imageId", "ami-0123456789abcdef01"),
        bad(.ec2Instance, "imageId", "ami-ABCDEF12"), bad(.ec2Instance, "imageId", "img-12345678"),
        // RDS
        ok(.rdsInstance, "dbInstanceIdentifier", "a"), bad(.rdsInstance, "dbInstanceIdentifier", ""),
        ok(.rdsInstance, "dbInstanceIdentifier", "d" + String(repeating: "b", count: 62)),
        bad(.rdsInstance, "dbInstanceIdentifier", "d" + String(repeating: "b", count: 63)),
        bad(.rdsInstance, "dbInstanceIdentifier", "1orders"), bad(.rdsInstance, "dbInstanceIdentifier", "orders--db"),
        bad(.rdsInstance, "dbInstanceIdentifier", "orders-"), ok(.rdsInstance, "dbInstanceIdentifier", "orders-db-1"),
        ok(.rdsInstance, "engine", "postgresql"), bad(.rdsInstance, "engine", "mongodb"),
        ok(.rdsInstance, "dbInstanceClass", "db.t4g.micro"), ok(.rdsInstance, "dbInstanceClass", "db.serverless"),
        bad(.rdsInstance, "dbInstanceClass", "t4g.micro"),
        ok(.rdsInstance, "allocatedStorage", "20"), bad(.rdsInstance, "allocatedStorage", "19"), ok(.rdsInstance, "allocatedStorage", "65536"),
        bad(.rdsInstance, "allocatedStorage", "65537"),
        // VPC
        ok(.vpc, "cidrBlock", "10.0.0.0/16"), bad(.vpc, "cidrBlock", "10.0.0.0/15"), ok(.vpc, "cidrBlock", "10.0.0.16/28"),
        bad(.vpc, "cidrBlock", "10.0.0.0/29"),
        bad(.vpc, "cidrBlock", "10.0.0.1/16"), bad(.vpc, "cidrBlock", "10.0.0.256/24"), bad(.vpc, "cidrBlock", "10.0.0/16"),
        bad(.vpc, "cidrBlock", "10.0.0.0"),
        // Others
        ok(.snsTopic, "topicName", String(repeating: "t", count: 256)), bad(.snsTopic, "topicName", String(repeating: "t", count: 257)),
        ok(.snsTopic, "topicName", "orders.fifo"), bad(.snsTopic, "topicName", "orders.events"), bad(.snsTopic, "topicName", ".fifo"),
        ok(.cloudWatchAlarm, "period", "60"), ok(.cloudWatchAlarm, "period", "10"), bad(.cloudWatchAlarm, "period", "9"),
        ok(.cloudWatchAlarm, "comparisonOperator", ">="), bad(.cloudWatchAlarm, "comparisonOperator", "=="),
        ok(.cloudWatchAlarm, "threshold", "-2.5"), bad(.cloudWatchAlarm, "threshold", "lots"),
        ok(.ecsService, "serviceName", String(repeating: "s", count: 255)), bad(.ecsService, "serviceName", String(repeating: "s", count: 256)),
        ok(.ecsService, "desiredCount", "0"), bad(.ecsService, "desiredCount", "-1"),
        ok(.cloudFrontDistribution, "originDomainName", "assets.example.com"), bad(.cloudFrontDistribution, "originDomainName", "assets"),
        bad(.cloudFrontDistribution, "originDomainName", "-a.example.com"),
        ok(.apiGateway, "stageName", "prod_1"), bad(.apiGateway, "stageName", "prod stage"),
        ok(.application(.serverlessAPI), "applicationName", "orders"), bad(.application(.serverlessAPI), "applicationName", "Orders"),
        bad(.application(.serverlessAPI), "applicationName", "9orders"), ok(.application(.fullstack), "applicationName", "ab"),
        bad(.application(.fullstack), "applicationName", String(repeating: "a", count: 41)),
    ]

    @Test(arguments: cases)
    func ruleAtTheEdge(_ rule: Case) throws {
        let field = try #require(rule.resource.schema.field(named: rule.field))
        let result = field.read(rule.value)
        switch result {
        case .success:
            #expect(rule.accepted, "accepted a value AWS refuses")
        case .failure(let violation):
            #expect(!rule.accepted, "refused a good value: \(violation.rule)")
            #expect(!violation.rule.isEmpty)
        }
    }

    @Test func everyFieldsExampleFollowsItsOwnRule() {
        for resource in ResourceKind.singleResources + ApplicationKind.allCases.map(ResourceKind.application) {
            for field in resource.schema.fields {
                if case .failure(let violation) = field.read(field.example) {
                    Issue.record("\(resource.name).\(field.key) example \"\(field.example)\" breaks its rule: \(violation.rule)")
                }
            }
            #expect(resource.schema.field(named: resource.schema.identifier) != nil, "\(resource.name) has no identifier field")
        }
    }

    @Test func tagRules() {
        let parser = IssueParser()
        func tags(_ lines: String) -> IssueParseResult {
            parser.parse(IssueInput(title: "Create bucket logs-archive in eu-west-1", body: "```yaml\ntags:\n\(lines)\n```", labels: ["gaffer"]))
        }
        #expect(tags("  team: data").task?.tags == ["team": "data"])
        #expect(tags("  \(String(repeating: "k", count: 128)): v").task != nil)
        #expect(tags("  \(String(repeating: "k", count: 129)): v").problems.first?.field == "tags")
        #expect(tags("  k: \(String(repeating: "v", count: 256))").task != nil)
        #expect(tags("  k: \(String(repeating: "v", count: 257))").problems.first?.field == "tags.k")
        #expect(tags("  aws:team: data").problems.first?.rule.contains("aws:") == true)
        #expect(tags("  AWS:team: data").problems.first?.rule.contains("aws:") == true)
        #expect(tags("  team: data!").problems.first?.rule.contains("!") == true)
        let fifty = (1...50).map { "  k\($0): v" }.joined(separator: "\n")
        #expect(tags(fifty).task?.tags.count == 50)
        #expect(tags(fifty + "\n  k51: v").problems.first?.rule.contains("at most 50") == true)
    }

    @Test func crossFieldRules() {
        let parser = IssueParser()
        func parse(_ title: String, _ yaml: String) -> IssueParseResult {
            parser.parse(IssueInput(title: title, body: "```yaml\n\(yaml)\n```", labels: ["gaffer"]))
        }
        let provisioned = parse("Create table orders in eu-west-1", "partitionKey: id\nbillingMode: PROVISIONED")
        #expect(Set(provisioned.problems.map(\.field)) == ["readCapacityUnits", "writeCapacityUnits"])
        #expect(
            parse("Create table orders in eu-west-1", "partitionKey: id\nbillingMode: PROVISIONED\nreadCapacityUnits: 5\nwriteCapacityUnits: 5").task
                != nil
        )
        #expect(parse("Create topic orders in eu-west-1", "fifoTopic: true").problems.first?.example == "orders.fifo")
        #expect(parse("Create ecs service web in eu-west-1", "containerImage: nginx\ncpu: 256\nmemory: 4096").problems.first?.field == "memory")
        #expect(parse("Create ecs service web in eu-west-1", "containerImage: nginx\ncpu: 256\nmemory: 1024").task != nil)
        #expect(parse("Create ecs service web in eu-west-1", "containerImage: nginx\ncpu: 300").problems.first?.field == "cpu")
        #expect(
            parse("Create alarm errors in eu-west-1", "namespace: AWS/Lambda\nmetricName: Errors\ncomparisonOperator: '>'\nthreshold: 1\nperiod: 90")
                .problems.first?.field == "period"
        )
        #expect(parse("Update bucket logs-archive in eu-west-1", "").problems.first?.field == "settings")
    }

    @Test func regionsAndAccounts() {
        let parser = IssueParser()
        func parse(_ yaml: String) -> IssueParseResult {
            parser.parse(IssueInput(title: "Create bucket logs-archive", body: "```yaml\n\(yaml)\n```", labels: ["gaffer"]))
        }
        #expect(parse("region: EU-WEST-1").task?.region == "eu-west-1")
        let typo = parse("region: eu-west-l").problems.first
        #expect(typo?.field == "region" && typo?.rule.contains("did you mean eu-west-1") == true)
        #expect(parse("region: eu-west-4").problems.first?.field == "region")
        #expect(parse("region: eu-west-1\naccount: 1234-5678-9012").task?.account == "123456789012")
        #expect(parse("region: eu-west-1\naccount: 12345678901").problems.first?.field == "account")
        #expect(parse("region: eu-west-1\naccount: 1234567890123").problems.first?.field == "account")
        #expect(
            IssueParser(options: .init(defaultRegion: "us-east-2")).parse(
                IssueInput(title: "Create bucket logs-archive", body: "", labels: ["gaffer"])
            ).task?.region == "us-east-2"
        )
    }
}
