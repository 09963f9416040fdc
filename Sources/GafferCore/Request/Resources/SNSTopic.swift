/// An SNS topic. Rules: docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
public enum SNSTopic {
    public static let schema = ResourceSchema(
        identifier: "topicName",
        fields: [
            .text(
                "topicName",
                "1–256 letters, digits, hyphens and underscores; a FIFO topic ends in .fifo",
                example: "order-events",
                requiredFor: [.create, .update, .delete],
                rule: topicNameRule
            ),
            .boolean("fifoTopic", "first-in-first-out delivery; the name must end in .fifo"),
            .text("displayName", "up to 100 characters", example: "Order events", rule: { TextRules.length($0, 1...100) }),
        ],
        crossChecks: { values, _ in
            guard let name = values["topicName"]?.stringValue else { return [] }
            let fifo = values["fifoTopic"]?.booleanValue ?? false
            if fifo, !name.hasSuffix(".fifo") {
                return [IssueProblem(field: "topicName", value: name, rule: "must end in .fifo for a FIFO topic", example: "\(name).fifo")]
            }
            if !fifo, name.hasSuffix(".fifo") {
                return [IssueProblem(field: "fifoTopic", value: nil, rule: "must be true for a topic whose name ends in .fifo", example: "true")]
            }
            return []
        }
    )

    static func topicNameRule(_ name: String) -> String? {
        let stem = name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
        return TextRules.length(name, 1...256)
            ?? TextRules.only(
                stem,
                { TextRules.isAlnum($0) || $0 == "-" || $0 == "_" },
                described: "letters, digits, hyphens and underscores (and a final .fifo)"
            )
            ?? (stem.isEmpty ? "must have a name before .fifo" : nil)
    }
}
