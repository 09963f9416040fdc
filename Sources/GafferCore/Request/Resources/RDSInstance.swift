/// An RDS database instance. Rules: docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
public enum RDSInstance {
    static let engines = [
        "postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql",
        "oracle-ee", "oracle-se2", "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web", "db2-se", "db2-ae",
    ]

    public static let schema = ResourceSchema(
        identifier: "dbInstanceIdentifier",
        fields: [
            .text(
                "dbInstanceIdentifier",
                "1–63 letters, digits and hyphens; starts with a letter; no two hyphens in a row; does not end with a hyphen",
                example: "orders-db",
                requiredFor: [.create, .update, .delete],
                rule: identifierRule
            ),
            .choice(
                "engine",
                engines,
                "the database engine",
                aliases: ["postgresql": "postgres", "aurora": "aurora-postgresql"],
                requiredFor: [.create]
            ),
            .text(
                "engineVersion",
                "the engine version, such as 17 or 17.6",
                example: "17.6",
                rule: { version in
                    TextRules.length(version, 1...32)
                        ?? TextRules.only(
                            version,
                            { TextRules.isAlnum($0) || $0 == "." || $0 == "-" },
                            described: "letters, digits, dots and hyphens"
                        )
                }
            ),
            .text(
                "dbInstanceClass",
                "an instance class such as db.t4g.micro or db.r7g.large",
                example: "db.t4g.micro",
                requiredFor: [.create],
                rule: instanceClassRule
            ),
            .integer("allocatedStorage", 20...65_536, "storage in GiB, 20–65,536", unit: "GiB", example: 20),
            .boolean("multiAZ", "keep a standby in a second availability zone"),
        ]
    )

    static func identifierRule(_ name: String) -> String? {
        if let broken = TextRules.length(name, 1...63)
            ?? TextRules.only(name, { TextRules.isAlnum($0) || $0 == "-" }, described: "letters, digits and hyphens")
        {
            return broken
        }
        guard let first = name.unicodeScalars.first, TextRules.isLetter(first) else { return "must start with a letter" }
        if name.contains("--") { return "must not contain two hyphens in a row" }
        if name.hasSuffix("-") { return "must not end with a hyphen" }
        return nil
    }

    static func instanceClassRule(_ text: String) -> String? {
        let rule = "must be an instance class such as db.t4g.micro (db.family.size)"
        guard text.hasPrefix("db.") else { return rule }
        let rest = String(text.dropFirst(3))
        if rest == "serverless" { return nil }
        return EC2Instance.instanceTypeRule(rest) == nil ? nil : rule
    }
}
