import Foundation
import GafferAWS
import GafferCore

/// Finds where what Gaffer made has drifted from its stacks. CloudFormation's own drift detection
/// comes first: it knows every property of every resource type it supports. Where it does not run
/// (local endpoints such as moto do not implement it) or cannot check a resource, Gaffer compares
/// the properties its templates set with what the services report, read with the same read-only
/// clients: a bucket's versioning, encryption and public access block, a table's billing and
/// capacity, a function's runtime, memory and timeout.
enum DriftCheck {
    /// What a resource's check found: the differences, or the properties that matched.
    struct Outcome: Sendable {
        var differences: [String] = []
        var matched: [String] = []
        /// Why Gaffer compared for itself where CloudFormation's detection was tried and did not answer.
        var fallback: String?
    }

    /// How long a CloudFormation detection is waited for, and how often it is asked about.
    struct Detection: Sendable {
        var timeout: Duration = .seconds(120)
        var pollInterval: Duration = .seconds(1)
    }

    /// Each registered resource's outcome by ARN, for the stacks in `region` whose templates can be read.
    static func check(
        _ entries: [RegisteredResource],
        client: AWSClient,
        region: String,
        detection: Detection = Detection()
    ) async throws -> [String: Outcome] {
        var outcomes: [String: Outcome] = [:]
        let cloudFormation = CloudFormation(client, region: region)
        var unavailable: String?
        for (stack, resources) in Dictionary(grouping: entries, by: \.stack).sorted(by: { $0.key < $1.key }) {
            var unchecked = resources
            if unavailable == nil {
                switch try await detect(stack.name, cloudFormation: cloudFormation, detection: detection) {
                case .unavailable(let reason):
                    unavailable = reason
                case .drifts(let drifts):
                    unchecked = []
                    for entry in resources {
                        guard let drift = drifts[entry.logicalID], let outcome = outcome(of: drift, stack: stack.name) else {
                            unchecked.append(entry)
                            continue
                        }
                        outcomes[entry.arn] = outcome
                    }
                }
            }
            guard !unchecked.isEmpty else { continue }
            let resources = unchecked
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
                outcome.fallback = unavailable
                if !outcome.differences.isEmpty || !outcome.matched.isEmpty { outcomes[entry.arn] = outcome }
            }
        }
        return outcomes
    }

    enum Detected {
        /// Why there is no detection to read: the endpoint has none (moto), the identity may not run
        /// it, or it did not finish in time. Gaffer's own comparison still tells drift.
        case unavailable(String)
        case drifts([String: CloudFormation.ResourceDrift])
    }

    /// Runs CloudFormation's detection on the stack and waits for it; a failed detection still
    /// reports the resources it could check.
    static func detect(_ stack: String, cloudFormation: CloudFormation, detection: Detection) async throws -> Detected {
        do {
            let id = try await cloudFormation.detectStackDrift(stack)
            let deadline = ContinuousClock.now + detection.timeout
            while try await cloudFormation.describeStackDriftDetectionStatus(id).status == "DETECTION_IN_PROGRESS" {
                guard ContinuousClock.now < deadline else { return .unavailable("it did not finish in \(detection.timeout)") }
                try await Task.sleep(for: detection.pollInterval)
            }
            let drifts = try await cloudFormation.describeStackResourceDrifts(stack)
            return .drifts(Dictionary(drifts.map { ($0.logicalResourceID, $0) }, uniquingKeysWith: { first, _ in first }))
        } catch let error as AWSServiceError {
            return .unavailable("\(error.code) (HTTP \(error.status))")
        }
    }

    /// What CloudFormation's verdict on a resource says, or nil when it could not check it.
    static func outcome(of drift: CloudFormation.ResourceDrift, stack: String) -> Outcome? {
        var outcome = Outcome()
        switch drift.status {
        case "IN_SYNC":
            outcome.matched = ["CloudFormation drift detection: in sync"]
        case "DELETED":
            outcome.differences = ["deleted outside its stack \(stack) (CloudFormation drift detection)"]
        case "MODIFIED":
            outcome.differences = drift.differences.map { difference in
                let path = difference.path
                return switch difference.type {
                case "ADD": "\(path) is not in the stack \(stack) but is \(difference.actual ?? "set") in AWS (CloudFormation drift detection)"
                case "REMOVE": "\(path) is \(difference.expected ?? "set") in the stack \(stack) but not set in AWS (CloudFormation drift detection)"
                default:
                    "\(path) is \(difference.expected ?? "not set") in the stack \(stack) but \(difference.actual ?? "not set") in AWS (CloudFormation drift detection)"
                }
            }
            if outcome.differences.isEmpty { outcome.differences = ["modified outside its stack \(stack) (CloudFormation drift detection)"] }
        default:
            return nil
        }
        return outcome
    }
}
