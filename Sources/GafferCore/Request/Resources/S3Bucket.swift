/// An S3 bucket. Naming rules: docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
public enum S3Bucket {
    public static let schema = ResourceSchema(
        identifier: "bucketName",
        fields: [
            .text(
                "bucketName",
                "3–63 characters: lowercase letters, digits, hyphens and dots; starts and ends with a letter or digit; not an IP address; not starting xn-- or sthree-; not ending -s3alias or --ol-s3",
                example: "logs-archive",
                requiredFor: [.create, .update, .delete],
                rule: bucketNameRule
            ),
            .boolean("versioning", "keep every version of every object"),
            .choice(
                "encryption",
                ["AES256", "aws:kms", "aws:kms:dsse"],
                "server-side encryption",
                aliases: [
                    "sse-s3": "AES256", "s3": "AES256", "kms": "aws:kms", "sse-kms": "aws:kms", "dsse": "aws:kms:dsse", "dsse-kms": "aws:kms:dsse",
                ]
            ),
            .boolean("blockPublicAccess", "block all public access (recommended)"),
            .integer("lifecycleDays", 1...36_500, "expire objects after this many days", unit: "days", example: 90),
        ]
    )

    static func bucketNameRule(_ name: String) -> String? {
        if let broken = TextRules.length(name, 3...63) { return broken }
        if let broken = TextRules.only(
            name,
            { TextRules.isLowerAlnum($0) || $0 == "-" || $0 == "." },
            described: "lowercase letters, digits, hyphens and dots"
        ) {
            return broken
        }
        guard let first = name.unicodeScalars.first, let last = name.unicodeScalars.last,
            TextRules.isLowerAlnum(first), TextRules.isLowerAlnum(last)
        else { return "must start and end with a lowercase letter or digit" }
        if name.contains("..") { return "must not contain two dots in a row" }
        if name.contains(".-") || name.contains("-.") { return "must not have a dot next to a hyphen" }
        if isIPv4Address(name) { return "must not look like an IP address" }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) {
            return "must not start with \(prefix) (reserved by AWS)"
        }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where name.hasSuffix(suffix) {
            return "must not end with \(suffix) (reserved by AWS)"
        }
        return nil
    }

    static func isIPv4Address(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
            }
    }
}
