/// A CloudWatch metric alarm. Rules: docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
public enum CloudWatchAlarm {
    public static let schema = ResourceSchema(
        identifier: "alarmName",
        fields: [
            .text(
                "alarmName",
                "1–255 printable characters",
                example: "orders-api-5xx",
                requiredFor: [.create, .update, .delete],
                rule: printableRule
            ),
            .text(
                "namespace",
                "the metric namespace, 1–255 characters, such as AWS/Lambda",
                example: "AWS/Lambda",
                requiredFor: [.create],
                rule: { namespace in
                    printableRule(namespace) ?? (namespace.hasPrefix(":") ? "must not start with a colon" : nil)
                }
            ),
            .text("metricName", "1–255 printable characters, such as Errors", example: "Errors", requiredFor: [.create], rule: printableRule),
            .choice(
                "statistic",
                ["Average", "Sum", "Minimum", "Maximum", "SampleCount"],
                "how data points are combined",
                aliases: ["avg": "Average", "min": "Minimum", "max": "Maximum", "count": "SampleCount"]
            ),
            .choice(
                "comparisonOperator",
                [
                    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold",
                ],
                "how the statistic is compared with the threshold",
                aliases: [
                    ">": "GreaterThanThreshold", ">=": "GreaterThanOrEqualToThreshold", "<": "LessThanThreshold", "<=": "LessThanOrEqualToThreshold",
                ],
                requiredFor: [.create]
            ),
            .number("threshold", -1e12...1e12, "the value compared with the statistic", example: "5", requiredFor: [.create]),
            .integer("evaluationPeriods", 1...1_440, "how many periods are compared, 1–1,440", example: 3),
            .integer("period", 10...86_400, "seconds per data point: 10, 20, 30 or a multiple of 60", unit: "s", example: 60),
        ],
        crossChecks: { values, _ in
            guard let period = values["period"]?.integerValue, period >= 60 ? period % 60 != 0 : ![10, 20, 30].contains(period) else { return [] }
            return [IssueProblem(field: "period", value: String(period), rule: "must be 10, 20, 30 or a multiple of 60", example: "60")]
        }
    )

    static func printableRule(_ text: String) -> String? {
        TextRules.length(text, 1...255)
            ?? TextRules.only(text, { $0.properties.generalCategory != .control }, described: "printable characters")
    }
}
