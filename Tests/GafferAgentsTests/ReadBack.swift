import Foundation
import GafferAWS
import GafferCore
import Testing

/// Reads a created resource back through its own service's API and checks it is what the task asked for.
enum ReadBack {
    static func expect(_ task: AwsTask, client: AWSClient, machine: MotoMachine) async throws {
        let p = task.parameters
        let label = "\(task.resource?.name ?? "?")"
        switch task.resource {
        case .s3Bucket:
            let bucket = try #require(p["bucketName"]?.stringValue)
            let s3 = S3(client)
            // moto's CloudFormation ignores VersioningConfiguration, so versioning is proven by cfn-lint and the golden files only.
            #expect(try await s3.getBucketEncryption(bucket) != nil, "\(label) encryption")
            let tags = try await s3.getBucketTagging(bucket)
            #expect(tags["gaffer:managed"] == "true" && tags["gaffer:issue"] == "acme/infra/issues/40", "\(label) tags: \(tags)")
        case .dynamoDBTable:
            let table = try await DynamoDB(client).describeTable(try #require(p["tableName"]?.stringValue))
            var keys = [try #require(p["partitionKey"]?.stringValue) + " HASH"]
            if let sortKey = p["sortKey"]?.stringValue { keys.append(sortKey + " RANGE") }
            #expect(table.keySchema.map { "\($0.attributeName) \($0.keyType)" } == keys, "\(label) keys")
            #expect(table.billingMode == (p["billingMode"]?.stringValue ?? "PAY_PER_REQUEST"), "\(label) billing mode")
        case .lambdaFunction:
            let name = try #require(p["functionName"]?.stringValue)
            let function = try #require(
                try await Lambda(client).listFunctions().functions.first { $0.functionName == name },
                "\(label) function \(name)"
            )
            #expect(function.runtime == p["runtime"]?.stringValue, "\(label) runtime")
            #expect(function.memorySize == (p["memorySize"]?.integerValue ?? 128), "\(label) memory")
            #expect(function.timeout == (p["timeout"]?.integerValue ?? 30), "\(label) timeout")
        case .ec2Instance:
            let instances = try await EC2(client).describeInstances(filters: ["tag:Name": [try #require(p["instanceName"]?.stringValue)]])
                .filter { $0.state != "terminated" }
            #expect(instances.map(\.instanceType) == [try #require(p["instanceType"]?.stringValue)], "\(label) type")
        case .rdsInstance:
            let database = try #require(
                try await RDS(client).describeDBInstances(identifier: try #require(p["dbInstanceIdentifier"]?.stringValue)).first
            )
            #expect(database.engine == p["engine"]?.stringValue, "\(label) engine")
            #expect(database.instanceClass == p["dbInstanceClass"]?.stringValue, "\(label) class")
            #expect(database.storageEncrypted, "\(label) encrypted")
            #expect(!database.publiclyAccessible, "\(label) not public")
            #expect(database.multiAZ == (p["multiAZ"]?.booleanValue ?? false), "\(label) multi-AZ")
        case .vpc:
            let vpcs = try await client.query(
                .ec2,
                "DescribeVpcs",
                [("Filter.1.Name", "tag:Name"), ("Filter.1.Value.1", try #require(p["vpcName"]?.stringValue))]
            )
            #expect(vpcs.list("vpcSet").compactMap { $0.string("cidrBlock") } == [p["cidrBlock"]?.stringValue], "\(label) CIDR")
        case .snsTopic:
            let topics = try await client.query(.sns, "ListTopics").list("Topics").compactMap { $0.string("TopicArn") }
            let name = try #require(p["topicName"]?.stringValue)
            let arn = try #require(topics.first { $0.hasSuffix(":\(name)") }, "\(label) topic \(name) in \(topics)")
            let attributes = try await client.query(.sns, "GetTopicAttributes", [("TopicArn", arn)]).tags("Attributes", key: "key", value: "value")
            #expect(attributes["KmsMasterKeyId"] == "alias/aws/sns", "\(label) encrypted: \(attributes)")
        case .ecsService:
            struct Services: Decodable {
                struct Service: Decodable {
                    let desiredCount: Int
                    let serviceName: String
                }
                let services: [Service]
            }
            let service = try #require(p["serviceName"]?.stringValue)
            let cluster = p["clusterName"]?.stringValue ?? service
            let found: Services = try await client.json(.ecs, "DescribeServices", ["cluster": cluster, "services": [service]])
            #expect(found.services.map(\.desiredCount) == [p["desiredCount"]?.integerValue ?? 1], "\(label) desired count")
        case .apiGateway:
            struct APIs: Decodable {
                struct API: Decodable { let name: String }
                let item: [API]
            }
            let response = try await client.send(AWSRequest(operation: "GetRestApis", method: "GET", path: "/restapis"), to: .apiGateway)
            let apis = try JSONDecoder().decode(APIs.self, from: response.body)
            #expect(apis.item.map(\.name).contains(try #require(p["apiName"]?.stringValue)), "\(label) API")
        case .cloudFrontDistribution, .cloudWatchAlarm, .application, .none:
            // moto's CloudFormation does not create these (see motoGaps): linted, not read back.
            break
        }
    }

    /// Removes what a stack deletion keeps on purpose (retained data), so the next create may use the same names.
    static func cleanUp(_ task: AwsTask, client: AWSClient) async throws {
        switch task.resource {
        case .s3Bucket:
            if let bucket = task.parameters["bucketName"]?.stringValue { try? await S3(client).deleteBucket(bucket) }
        case .dynamoDBTable:
            if let table = task.parameters["tableName"]?.stringValue {
                let _: [String: String]? = try? await client.json(.dynamoDB, "DeleteTable", ["TableName": table])
            }
        case .rdsInstance:
            if let identifier = task.parameters["dbInstanceIdentifier"]?.stringValue {
                _ = try? await client.query(.rds, "DeleteDBInstance", [("DBInstanceIdentifier", identifier), ("SkipFinalSnapshot", "true")])
            }
        default:
            break
        }
    }
}
