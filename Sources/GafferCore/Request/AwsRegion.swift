/// The AWS regions a task may name. Checked against this list rather than a
/// pattern so that "eu-west-4" is caught before anything reaches AWS.
public enum AwsRegion {
    public static let all: [String] = [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        "ca-central-1", "ca-west-1", "mx-central-1", "sa-east-1",
        "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "eu-south-1", "eu-south-2", "eu-north-1",
        "il-central-1", "me-south-1", "me-central-1", "af-south-1",
        "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
        "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
        "us-gov-east-1", "us-gov-west-1", "cn-north-1", "cn-northwest-1",
    ]

    static let known = Set(all)

    /// "all", "every region", "*": a report over every region the account has enabled.
    public static func meansEvery(_ text: String) -> Bool {
        ["all", "allregions", "every", "everyregion", "*", "any"].contains(FieldName.normalize(text))
            || text.trimmingCharacters(in: .whitespaces) == "*"
    }

    /// The region code, lowercased, or a problem naming the nearest real region.
    static func check(_ text: String) -> Result<String, RuleViolation> {
        let code = text.lowercased()
        if known.contains(code) { return .success(code) }
        var rule = "must be an AWS region code such as eu-west-1"
        if let near = EditDistance.nearest(to: code, in: all, within: 2) {
            rule += "; did you mean \(near)?"
        }
        return .failure(RuleViolation(rule))
    }
}

/// A 12-digit AWS account id. The console shows it as 1234-5678-9012; both are accepted.
enum AwsAccount {
    static let example = "123456789012"

    static func check(_ text: String) -> Result<String, RuleViolation> {
        let digits = text.filter { $0 != "-" && $0 != " " }
        guard digits.count == 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .failure(RuleViolation("must be exactly 12 digits"))
        }
        return .success(digits)
    }
}
