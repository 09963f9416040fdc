/// An AWS service as the client needs it: how to sign, where it lives, how it speaks.
public struct AWSService: Sendable, Hashable {
    /// How requests and answers are shaped.
    public enum WireProtocol: Sendable, Hashable {
        /// Form-encoded `Action=…&Version=…`, XML answers (STS, IAM, CloudFormation, RDS, CloudWatch).
        case query(version: String)
        /// EC2's variant of query: lists are `Name.1`, answers use `item`.
        case ec2(version: String)
        /// JSON bodies with an `X-Amz-Target` header.
        case json(version: String, targetPrefix: String)
        /// REST paths and XML bodies (S3).
        case restXML
        /// REST paths and JSON bodies (Lambda).
        case restJSON
    }

    /// The service id as the SDKs name it ("Secrets Manager"); `AWS_ENDPOINT_URL_<ID>` is made from it.
    public let id: String
    /// The name in the credential scope ("monitoring" for CloudWatch).
    public let signingName: String
    /// The first label of the default host name.
    public let endpointPrefix: String
    public let wireProtocol: WireProtocol
    /// A global service has one endpoint and signs for us-east-1 (IAM, Cost Explorer).
    public let global: Bool

    public static let sts = AWSService(
        id: "STS",
        signingName: "sts",
        endpointPrefix: "sts",
        wireProtocol: .query(version: "2011-06-15"),
        global: false
    )
    public static let iam = AWSService(
        id: "IAM",
        signingName: "iam",
        endpointPrefix: "iam",
        wireProtocol: .query(version: "2010-05-08"),
        global: true
    )
    public static let s3 = AWSService(id: "S3", signingName: "s3", endpointPrefix: "s3", wireProtocol: .restXML, global: false)
    public static let cloudFormation = AWSService(
        id: "CloudFormation",
        signingName: "cloudformation",
        endpointPrefix: "cloudformation",
        wireProtocol: .query(version: "2010-05-15"),
        global: false
    )
    public static let ec2 = AWSService(id: "EC2", signingName: "ec2", endpointPrefix: "ec2", wireProtocol: .ec2(version: "2016-11-15"), global: false)
    public static let dynamoDB = AWSService(
        id: "DynamoDB",
        signingName: "dynamodb",
        endpointPrefix: "dynamodb",
        wireProtocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810"),
        global: false
    )
    public static let lambda = AWSService(id: "Lambda", signingName: "lambda", endpointPrefix: "lambda", wireProtocol: .restJSON, global: false)
    public static let rds = AWSService(
        id: "RDS",
        signingName: "rds",
        endpointPrefix: "rds",
        wireProtocol: .query(version: "2014-10-31"),
        global: false
    )
    public static let cloudWatch = AWSService(
        id: "CloudWatch",
        signingName: "monitoring",
        endpointPrefix: "monitoring",
        wireProtocol: .query(version: "2010-08-01"),
        global: false
    )
    public static let resourceGroupsTagging = AWSService(
        id: "Resource Groups Tagging API",
        signingName: "tagging",
        endpointPrefix: "tagging",
        wireProtocol: .json(version: "1.1", targetPrefix: "ResourceGroupsTaggingAPI_20170126"),
        global: false
    )
    public static let ssm = AWSService(
        id: "SSM",
        signingName: "ssm",
        endpointPrefix: "ssm",
        wireProtocol: .json(version: "1.1", targetPrefix: "AmazonSSM"),
        global: false
    )
    public static let secretsManager = AWSService(
        id: "Secrets Manager",
        signingName: "secretsmanager",
        endpointPrefix: "secretsmanager",
        wireProtocol: .json(version: "1.1", targetPrefix: "secretsmanager"),
        global: false
    )
    public static let costExplorer = AWSService(
        id: "Cost Explorer",
        signingName: "ce",
        endpointPrefix: "ce",
        wireProtocol: .json(version: "1.1", targetPrefix: "AWSInsightsIndexService"),
        global: true
    )

    public static let sns = AWSService(
        id: "SNS",
        signingName: "sns",
        endpointPrefix: "sns",
        wireProtocol: .query(version: "2010-03-31"),
        global: false
    )
    public static let ecs = AWSService(
        id: "ECS",
        signingName: "ecs",
        endpointPrefix: "ecs",
        wireProtocol: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerServiceV20141113"),
        global: false
    )
    public static let apiGateway = AWSService(
        id: "API Gateway",
        signingName: "apigateway",
        endpointPrefix: "apigateway",
        wireProtocol: .restJSON,
        global: false
    )
    public static let elasticLoadBalancing = AWSService(
        id: "Elastic Load Balancing v2",
        signingName: "elasticloadbalancing",
        endpointPrefix: "elasticloadbalancing",
        wireProtocol: .query(version: "2015-12-01"),
        global: false
    )
    public static let cloudTrail = AWSService(
        id: "CloudTrail",
        signingName: "cloudtrail",
        endpointPrefix: "cloudtrail",
        wireProtocol: .json(version: "1.1", targetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"),
        global: false
    )
    public static let all: [AWSService] = [
        .sts, .iam, .s3, .cloudFormation, .ec2, .dynamoDB, .lambda, .rds, .cloudWatch, .resourceGroupsTagging, .ssm, .secretsManager, .costExplorer,
        .sns, .ecs, .apiGateway, .elasticLoadBalancing, .cloudTrail,
    ]

    /// `AWS_ENDPOINT_URL_SECRETS_MANAGER`: the id upper-cased, spaces as underscores.
    public var environmentKey: String { "AWS_ENDPOINT_URL_" + id.uppercased().replacingOccurrences(of: " ", with: "_") }
    /// The key in a config file's `[services …]` section and in Gaffer's `aws_endpoint_urls`: `secrets_manager`.
    public var configKey: String { id.lowercased().replacingOccurrences(of: " ", with: "_") }

    /// The region a global service signs for.
    public func signingRegion(_ region: String) -> String {
        guard global else { return region }
        if region.hasPrefix("cn-") { return "cn-north-1" }
        if region.hasPrefix("us-gov-") { return "us-gov-west-1" }
        return "us-east-1"
    }

    /// The public endpoint for a region.
    public func defaultHost(region: String) -> String {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        if global {
            return self == .iam && !region.hasPrefix("cn-") && !region.hasPrefix("us-gov-")
                ? "iam.amazonaws.com" : "\(endpointPrefix).\(signingRegion(region)).\(suffix)"
        }
        return "\(endpointPrefix).\(region).\(suffix)"
    }
}
