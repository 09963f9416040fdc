/// A CloudFront distribution. Gaffer names it in the distribution's comment and Name tag.
public enum CloudFrontDistribution {
    public static let schema = ResourceSchema(
        identifier: "distributionName",
        fields: [
            .text(
                "distributionName",
                "Gaffer's name for the distribution, 1–128 characters",
                example: "web-cdn",
                requiredFor: [.create, .update, .delete],
                rule: { name in
                    // It is kept in the distribution's Comment, which allows up to 128 characters.
                    TextRules.length(name, 1...128) ?? Tags.valueRule(minimum: 1)(name)
                }
            ),
            .text(
                "originDomainName",
                "the origin's host name, such as my-bucket.s3.amazonaws.com",
                example: "assets.example.com",
                requiredFor: [.create],
                rule: TextRules.hostName
            ),
            .choice(
                "priceClass",
                ["PriceClass_100", "PriceClass_200", "PriceClass_All"],
                "which edge locations serve it",
                aliases: ["100": "PriceClass_100", "200": "PriceClass_200", "all": "PriceClass_All"]
            ),
            .text(
                "defaultRootObject",
                "the object served for /, such as index.html",
                example: "index.html",
                rule: { object in
                    TextRules.length(object, 1...255) ?? (object.hasPrefix("/") ? "must not start with /" : nil)
                }
            ),
        ]
    )
}
