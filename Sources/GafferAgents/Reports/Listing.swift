import Foundation
import GafferAWS
import GafferCore

/// One way a discovery reads resources: the Resource Groups Tagging API, or one service's own
/// listing, followed to its last page. Each is read once per account and region (buckets too: S3
/// lists a region's buckets when asked, so no bucket needs a call of its own to place it).
enum Listing: String, CaseIterable, Sendable {
    case tagged, buckets, tables, functions, instances, volumes, securityGroups, vpcs, databases, topics, alarms, ecsServices, stacks

    /// The CloudFormation type a service listing returns; nil for the tagging API, which returns every type.
    var type: String? {
        switch self {
        case .tagged: nil
        case .buckets: "AWS::S3::Bucket"
        case .tables: "AWS::DynamoDB::Table"
        case .functions: "AWS::Lambda::Function"
        case .instances: "AWS::EC2::Instance"
        case .volumes: "AWS::EC2::Volume"
        case .securityGroups: "AWS::EC2::SecurityGroup"
        case .vpcs: "AWS::EC2::VPC"
        case .databases: "AWS::RDS::DBInstance"
        case .topics: "AWS::SNS::Topic"
        case .alarms: "AWS::CloudWatch::Alarm"
        case .ecsServices: "AWS::ECS::Service"
        case .stacks: "AWS::CloudFormation::Stack"
        }
    }

    /// The listings a report on `resource` needs (nil: every resource).
    static func needed(for resource: ResourceKind?) -> [Listing] {
        guard let resource else { return allCases }
        switch resource {
        case .s3Bucket: return [.tagged, .buckets]
        case .dynamoDBTable: return [.tagged, .tables]
        case .lambdaFunction: return [.tagged, .functions]
        case .ec2Instance: return [.tagged, .instances]
        case .rdsInstance: return [.tagged, .databases]
        case .vpc: return [.tagged, .vpcs]
        case .snsTopic: return [.tagged, .topics]
        case .cloudWatchAlarm: return [.tagged, .alarms]
        case .ecsService: return [.tagged, .ecsServices]
        case .cloudFrontDistribution, .apiGateway, .application: return [.tagged, .stacks]
        }
    }

    /// Whether a resource of `type` (found by tag only, or registered) belongs in a report on `resource`.
    static func matches(type: String, arn: String, resource: ResourceKind?) -> Bool {
        guard let resource else { return true }
        switch resource {
        case .cloudFrontDistribution: return ResourceARN.service(of: arn) == "cloudfront"
        case .apiGateway: return ResourceARN.service(of: arn) == "apigateway"
        case .application: return type == "AWS::CloudFormation::Stack"
        default: return needed(for: resource).compactMap(\.type).contains(type)
        }
    }

    /// What one listing found in one place: resources, or (for the tagging API) tags by ARN.
    struct Found: Sendable {
        var resources: [ReportResource] = []
        var tags: [String: [String: String]] = [:]
    }

    func read(_ client: AWSClient, account: String, region: String) async throws -> Found {
        func resource(_ id: String, _ arn: String, tags: [String: String] = [:]) -> ReportResource {
            ReportResource(id: id, arn: arn, type: type ?? "", region: region, account: account, tags: tags)
        }
        func arn(_ suffix: String) -> String { ResourceARN.of(type: type ?? "", physicalID: suffix, account: account, region: region) }
        var found = Found()
        switch self {
        case .tagged:
            found.tags = Dictionary(
                try await ResourceGroupsTagging(client, region: region).allResources().map { ($0.arn, $0.tags) },
                uniquingKeysWith: { first, _ in first }
            )
        case .buckets:
            found.resources = try await S3(client, region: region).listBuckets(inRegion: region).map {
                ReportResource(id: $0.name, arn: "arn:aws:s3:::\($0.name)", type: type ?? "", region: $0.region ?? region, account: account)
            }
        case .tables:
            found.resources = try await DynamoDB(client, region: region).allTables().map { resource($0, arn($0)) }
        case .functions:
            found.resources = try await Lambda(client, region: region).allFunctions().map { resource($0.functionName, $0.functionArn) }
        case .instances:
            found.resources = try await EC2(client, region: region).describeInstances().filter { $0.state != "terminated" }.map {
                resource($0.instanceID, arn($0.instanceID), tags: $0.tags)
            }
        case .volumes:
            found.resources = try await EC2(client, region: region).describeVolumes().map { resource($0.volumeID, arn($0.volumeID), tags: $0.tags) }
        case .securityGroups:
            found.resources = try await EC2(client, region: region).describeSecurityGroups().map { resource($0.groupID, arn($0.groupID)) }
        case .vpcs:
            found.resources = try await EC2(client, region: region).describeVpcs().map { resource($0.vpcID, arn($0.vpcID), tags: $0.tags) }
        case .databases:
            found.resources = try await RDS(client, region: region).describeDBInstances().map {
                resource($0.identifier, $0.arn ?? arn($0.identifier))
            }
        case .topics:
            found.resources = try await SNS(client, region: region).listTopics().map { resource(String($0.split(separator: ":").last ?? ""), $0) }
        case .alarms:
            found.resources = try await CloudWatch(client, region: region).describeAlarms().map { resource($0.name, $0.arn ?? arn($0.name)) }
        case .ecsServices:
            let ecs = ECS(client, region: region)
            for cluster in try await ecs.listClusters() {
                found.resources += try await ecs.listServices(cluster: cluster).map { resource(String($0.split(separator: "/").last ?? ""), $0) }
            }
        case .stacks:
            found.resources = try await CloudFormation(client, region: region).describeStacks().map {
                resource($0.stackName, $0.stackID, tags: $0.tags)
            }
        }
        return found
    }
}
