/// The kinds of application Gaffer can build and deploy as a whole.
public enum ApplicationKind: String, Sendable, Hashable, Codable, CaseIterable {
    case fastapiECS = "fastapi-ecs"
    case serverlessAPI = "serverless-api"
    case fullstack

    private static let byName = Dictionary(uniqueKeysWithValues: allCases.map { (FieldName.normalize($0.rawValue), $0) })

    /// The blueprint this one builds on: its files are rendered first and this one's laid over them
    /// (`templates/apps/<kind>/`).
    public var base: ApplicationKind? { self == .fullstack ? .fastapiECS : nil }

    /// Whether it has a static front end on S3 and CloudFront.
    public var hasFrontend: Bool { self == .fullstack }

    /// Whether its code runs in containers on ECS (otherwise in Lambda functions).
    public var runsInContainers: Bool { self != .serverlessAPI }

    public init?(spoken text: String) {
        guard let kind = ApplicationKind.byName[FieldName.normalize(text)] else { return nil }
        self = kind
    }
}

/// What a task is about.
public enum ResourceKind: Sendable, Hashable {
    case s3Bucket
    case dynamoDBTable
    case lambdaFunction
    case ec2Instance
    case rdsInstance
    case vpc
    case cloudFrontDistribution
    case apiGateway
    case snsTopic
    case cloudWatchAlarm
    case ecsService
    case application(ApplicationKind)

    /// Every kind that is a single AWS resource (an application is several).
    public static let singleResources: [ResourceKind] = [
        .s3Bucket, .dynamoDBTable, .lambdaFunction, .ec2Instance, .rdsInstance, .vpc,
        .cloudFrontDistribution, .apiGateway, .snsTopic, .cloudWatchAlarm, .ecsService,
    ]

    /// The name in Gaffer's JSON and in `aws:<name>` labels; `application` for every application.
    public var name: String {
        switch self {
        case .s3Bucket: "s3Bucket"
        case .dynamoDBTable: "dynamoDBTable"
        case .lambdaFunction: "lambdaFunction"
        case .ec2Instance: "ec2Instance"
        case .rdsInstance: "rdsInstance"
        case .vpc: "vpc"
        case .cloudFrontDistribution: "cloudFrontDistribution"
        case .apiGateway: "apiGateway"
        case .snsTopic: "snsTopic"
        case .cloudWatchAlarm: "cloudWatchAlarm"
        case .ecsService: "ecsService"
        case .application: "application"
        }
    }

    /// The words a form shows; they normalize to `name`, so a dropdown answer reads back as the kind.
    public var displayName: String {
        switch self {
        case .s3Bucket: "S3 bucket"
        case .dynamoDBTable: "DynamoDB table"
        case .lambdaFunction: "Lambda function"
        case .ec2Instance: "EC2 instance"
        case .rdsInstance: "RDS instance"
        case .vpc: "VPC"
        case .cloudFrontDistribution: "CloudFront distribution"
        case .apiGateway: "API Gateway"
        case .snsTopic: "SNS topic"
        case .cloudWatchAlarm: "CloudWatch alarm"
        case .ecsService: "ECS service"
        case .application(let kind): "Application (\(kind.rawValue))"
        }
    }

    /// Short words people use: "bucket", "table", "lambda", "database", "cdn".
    static let synonyms: [String: ResourceKind] = [
        "s3": .s3Bucket, "bucket": .s3Bucket, "s3bucket": .s3Bucket,
        "dynamodb": .dynamoDBTable, "table": .dynamoDBTable, "dynamo": .dynamoDBTable, "ddb": .dynamoDBTable,
        "lambda": .lambdaFunction, "function": .lambdaFunction,
        "ec2": .ec2Instance, "server": .ec2Instance, "vm": .ec2Instance,
        "rds": .rdsInstance, "database": .rdsInstance, "db": .rdsInstance, "rdsdatabase": .rdsInstance,
        "network": .vpc,
        "cloudfront": .cloudFrontDistribution, "cdn": .cloudFrontDistribution, "distribution": .cloudFrontDistribution,
        "apigateway": .apiGateway, "api": .apiGateway, "httpapi": .apiGateway, "restapi": .apiGateway,
        "sns": .snsTopic, "topic": .snsTopic,
        "cloudwatch": .cloudWatchAlarm, "alarm": .cloudWatchAlarm,
        "ecs": .ecsService, "service": .ecsService,
    ]

    /// Reads a single-resource kind as a person or a form wrote it ("S3 bucket", "aws:s3Bucket", "bucket").
    /// Applications need their kind and are read by `ApplicationKind`.
    public init?(spoken text: String) {
        let key = FieldName.normalize(text)
        // "S3 buckets", "tables": a plural names the same kind.
        guard let kind = ResourceKind.byName[key] ?? (key.hasSuffix("s") ? ResourceKind.byName[String(key.dropLast())] : nil) else { return nil }
        self = kind
    }

    private static let byName = Dictionary(
        singleResources.map { (FieldName.normalize($0.name), $0) } + synonyms.map { ($0.key, $0.value) },
        uniquingKeysWith: { first, _ in first }
    )

    public var applicationKind: ApplicationKind? {
        if case .application(let kind) = self { kind } else { nil }
    }

    /// The parameters this kind takes and the rules they follow.
    public var schema: ResourceSchema {
        switch self {
        case .s3Bucket: S3Bucket.schema
        case .dynamoDBTable: DynamoDBTable.schema
        case .lambdaFunction: LambdaFunction.schema
        case .ec2Instance: EC2Instance.schema
        case .rdsInstance: RDSInstance.schema
        case .vpc: VPC.schema
        case .cloudFrontDistribution: CloudFrontDistribution.schema
        case .apiGateway: APIGateway.schema
        case .snsTopic: SNSTopic.schema
        case .cloudWatchAlarm: CloudWatchAlarm.schema
        case .ecsService: ECSService.schema
        case .application: Application.schema
        }
    }
}

extension ResourceKind: Codable {
    /// `s3Bucket`, or `application:fastapi-ecs` for an application.
    public var storageName: String {
        if let kind = applicationKind { "application:\(kind.rawValue)" } else { name }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if text.hasPrefix("application:"), let kind = ApplicationKind(rawValue: String(text.dropFirst("application:".count))) {
            self = .application(kind)
        } else if let kind = ResourceKind.singleResources.first(where: { $0.name == text }) {
            self = kind
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown resource kind \(text)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(storageName)
    }
}
