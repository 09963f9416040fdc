/// A DynamoDB table. Rules: docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
public enum DynamoDBTable {
    static let keyTypes = ["S", "N", "B"]
    static let keyTypeAliases = ["string": "S", "number": "N", "binary": "B"]

    public static let schema = ResourceSchema(
        identifier: "tableName",
        fields: [
            .text(
                "tableName",
                "3–255 characters: letters, digits, underscores, hyphens and dots",
                example: "orders",
                requiredFor: [.create, .update, .delete],
                rule: tableNameRule
            ),
            .text(
                "partitionKey",
                "the partition (hash) key attribute name, 1–255 characters",
                example: "orderId",
                requiredFor: [.create],
                rule: attributeNameRule
            ),
            .choice("partitionKeyType", keyTypes, "S (string), N (number) or B (binary)", aliases: keyTypeAliases),
            .text("sortKey", "the sort (range) key attribute name, 1–255 characters", example: "createdAt", rule: attributeNameRule),
            .choice("sortKeyType", keyTypes, "S (string), N (number) or B (binary)", aliases: keyTypeAliases),
            .choice(
                "billingMode",
                ["PAY_PER_REQUEST", "PROVISIONED"],
                "on-demand or provisioned capacity",
                aliases: ["on-demand": "PAY_PER_REQUEST", "ondemand": "PAY_PER_REQUEST"]
            ),
            .integer("readCapacityUnits", 1...40_000, "read capacity, with PROVISIONED billing", example: 5),
            .integer("writeCapacityUnits", 1...40_000, "write capacity, with PROVISIONED billing", example: 5),
            .text(
                "ttlAttribute",
                "the attribute holding each item's expiry time, 1–255 characters",
                example: "expiresAt",
                rule: attributeNameRule
            ),
        ],
        crossChecks: { values, kind in
            var problems: [IssueProblem] = []
            if values["billingMode"]?.stringValue == "PROVISIONED", kind == .create {
                for key in ["readCapacityUnits", "writeCapacityUnits"] where values[key] == nil {
                    problems.append(IssueProblem(field: key, value: nil, rule: "is required with PROVISIONED billing", example: "5"))
                }
            }
            if values["sortKeyType"] != nil, values["sortKey"] == nil {
                problems.append(IssueProblem(field: "sortKey", value: nil, rule: "is required when sortKeyType is given", example: "createdAt"))
            }
            return problems
        }
    )

    static func tableNameRule(_ name: String) -> String? {
        TextRules.length(name, 3...255)
            ?? TextRules.only(
                name,
                { TextRules.isAlnum($0) || "_.-".unicodeScalars.contains($0) },
                described: "letters, digits, underscores, hyphens and dots"
            )
    }

    static func attributeNameRule(_ name: String) -> String? {
        TextRules.length(name, 1...255)
    }
}
