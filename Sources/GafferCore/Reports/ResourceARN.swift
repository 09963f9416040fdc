/// ARNs as Gaffer names resources, the same when a stack's resource is registered and when a report
/// finds it in AWS, so the two can be matched.
public enum ResourceARN {
    /// The ARN of a stack resource from its CloudFormation type and physical id.
    public static func of(type: String, physicalID: String, account: String, region: String) -> String {
        if physicalID.hasPrefix("arn:") { return physicalID }
        let prefix = "arn:aws:\(serviceName(of: type)):\(region):\(account):"
        switch type {
        case "AWS::S3::Bucket": return "arn:aws:s3:::\(physicalID)"
        case "AWS::IAM::Role": return "arn:aws:iam::\(account):role/\(physicalID)"
        case "AWS::DynamoDB::Table": return prefix + "table/\(physicalID)"
        case "AWS::Lambda::Function": return prefix + "function:\(physicalID)"
        case "AWS::Logs::LogGroup": return prefix + "log-group:\(physicalID)"
        case "AWS::CloudWatch::Alarm": return prefix + "alarm:\(physicalID)"
        case "AWS::EC2::Instance": return prefix + "instance/\(physicalID)"
        case "AWS::EC2::Volume": return prefix + "volume/\(physicalID)"
        case "AWS::EC2::SecurityGroup": return prefix + "security-group/\(physicalID)"
        case "AWS::EC2::VPC": return prefix + "vpc/\(physicalID)"
        case "AWS::RDS::DBInstance": return prefix + "db:\(physicalID)"
        default: return "\(type)/\(account)/\(region)/\(physicalID)"
        }
    }

    /// The types a discovery lists service by service: a registered resource of one of these types
    /// that the listing does not return is gone.
    public static let listedTypes: Set<String> = [
        "AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Lambda::Function", "AWS::EC2::Instance", "AWS::EC2::Volume",
        "AWS::EC2::SecurityGroup", "AWS::EC2::VPC", "AWS::RDS::DBInstance", "AWS::SNS::Topic", "AWS::CloudWatch::Alarm",
        "AWS::ECS::Service", "AWS::CloudFormation::Stack",
    ]

    /// `s3` from `arn:aws:s3:::logs`.
    public static func service(of arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count > 3, parts[0] == "arn", !parts[2].isEmpty else { return nil }
        return String(parts[2])
    }

    /// The region and account inside an ARN (empty for S3 and IAM, which have none).
    public static func location(of arn: String) -> (region: String, account: String)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else { return nil }
        return (String(parts[3]), String(parts[4]))
    }

    private static func serviceName(of type: String) -> String {
        let parts = type.split(separator: ":", omittingEmptySubsequences: true)
        guard parts.count == 3 else { return "" }
        switch parts[1] {
        case "CloudWatch": return "cloudwatch"
        case "Logs": return "logs"
        default: return parts[1].lowercased()
        }
    }
}
