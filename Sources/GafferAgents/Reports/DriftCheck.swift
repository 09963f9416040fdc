import Foundation
import GafferAWS
import GafferCore

/// Compares what Gaffer's stacks say with what the services report now, property by property, for
/// the properties Gaffer's templates set: a bucket's versioning, encryption and public access block,
/// a table's billing and capacity, a function's runtime, memory and timeout. This is Gaffer's own
/// comparison, read with the same read-only clients; it works where CloudFormation's drift
/// detection does not run (local endpoints such as moto).
enum DriftCheck {
    /// What a resource's check found: the differences, or the properties that matched.
    struct Outcome: Sendable {
        var differences: [String] = []
        var matched: [String] = []
    }

    /// Each registered resource's outcome by ARN, for the stacks in `region` whose templates can be read.
    static func check(_ entries: [RegisteredResource], client: AWSClient, region: String) async throws -> [String: Outcome] {
        var outcomes: [String: Outcome] = [:]
        let cloudFormation = CloudFormation(client, region: region)
        for (stack, resources) in Dictionary(grouping: entries, by: \.stack).sorted(by: { $0.key < $1.key }) {
            let text: String
            do {
                text = try await cloudFormation.getTemplate(stack.name)
            } catch let error as AWSServiceError where error.message.contains("does not exist") {
                continue
            }
            guard let document = try? CloudFormationDocument(path: stack.name, text: text) else { continue }
            for entry in resources {
                guard let resource = document.resource(entry.logicalID), let properties = resource.properties else { continue }
                let name = String(entry.arn.split(whereSeparator: { $0 == "/" || $0 == ":" }).last ?? "")
                var outcome = Outcome()
                func compare(_ property: String, stack expected: String?, aws actual: String?) {
                    guard let expected else { return }
                    if expected == actual {
                        outcome.matched.append(property)
                    } else {
                        outcome.differences.append("\(property) is \(expected) in the stack \(stack.name) but \(actual ?? "not set") in AWS")
                    }
                }
                switch entry.resourceType {
                case "AWS::S3::Bucket":
                    let s3 = S3(client, region: region)
                    let versioning = try await s3.getBucketVersioning(name)
                    compare("versioning", stack: properties.at("VersioningConfiguration", "Status")?.string, aws: versioning ?? "Suspended")
                    let rule = properties.at("BucketEncryption", "ServerSideEncryptionConfiguration")?.items.first
                    compare(
                        "encryption",
                        stack: rule?.at("ServerSideEncryptionByDefault", "SSEAlgorithm")?.string,
                        aws: try await s3.getBucketEncryption(name)?.algorithm
                    )
                    if let block = properties["PublicAccessBlockConfiguration"] {
                        let actual = try await s3.getPublicAccessBlock(name)
                        let settings: [(String, Bool?)] = [
                            ("BlockPublicAcls", actual?.blockPublicAcls), ("BlockPublicPolicy", actual?.blockPublicPolicy),
                            ("IgnorePublicAcls", actual?.ignorePublicAcls), ("RestrictPublicBuckets", actual?.restrictPublicBuckets),
                        ]
                        for (key, value) in settings {
                            compare("public access block \(key)", stack: block[key]?.bool.map(String.init), aws: String(value ?? false))
                        }
                    }
                case "AWS::DynamoDB::Table":
                    let table = try await DynamoDB(client, region: region).describeTable(name)
                    compare("billing mode", stack: properties["BillingMode"]?.string ?? "PROVISIONED", aws: table.billingMode)
                    let throughput = properties["ProvisionedThroughput"]
                    compare(
                        "read capacity",
                        stack: throughput?["ReadCapacityUnits"]?.int.map(String.init),
                        aws: table.provisionedThroughput?.readCapacityUnits.map(String.init)
                    )
                    compare(
                        "write capacity",
                        stack: throughput?["WriteCapacityUnits"]?.int.map(String.init),
                        aws: table.provisionedThroughput?.writeCapacityUnits.map(String.init)
                    )
                case "AWS::Lambda::Function":
                    let function = try await Lambda(client, region: region).getFunction(name).configuration
                    compare("runtime", stack: properties["Runtime"]?.string, aws: function.runtime)
                    compare("memory", stack: properties["MemorySize"]?.int.map(String.init), aws: function.memorySize.map(String.init))
                    compare("timeout", stack: properties["Timeout"]?.int.map(String.init), aws: function.timeout.map(String.init))
                default:
                    continue
                }
                if !outcome.differences.isEmpty || !outcome.matched.isEmpty { outcomes[entry.arn] = outcome }
            }
        }
        return outcomes
    }
}
