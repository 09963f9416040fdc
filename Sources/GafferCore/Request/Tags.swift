/// AWS tag rules: docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html
public enum Tags {
    static let maximumCount = 50

    static func isTagCharacter(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil || s == " " || "_.:/=+-@".unicodeScalars.contains(s)
    }

    static func keyRule(_ key: String) -> String? {
        if let broken = TextRules.length(key, 1...128)
            ?? TextRules.only(key, isTagCharacter, described: "letters, digits, spaces and _ . : / = + - @")
        {
            return broken
        }
        return key.lowercased().hasPrefix("aws:") ? "must not start with aws: (reserved by AWS)" : nil
    }

    static func valueRule(minimum: Int) -> @Sendable (String) -> String? {
        { value in
            TextRules.length(value, minimum...256)
                ?? TextRules.only(value, isTagCharacter, described: "letters, digits, spaces and _ . : / = + - @")
        }
    }

    /// Checks every tag; returns the good ones and a problem for each bad one.
    static func check(_ pairs: [(key: String, value: String)]) -> (tags: [String: String], problems: [IssueProblem]) {
        var tags: [String: String] = [:]
        var problems: [IssueProblem] = []
        for (key, value) in pairs {
            if let broken = keyRule(key) {
                problems.append(IssueProblem(field: "tags", value: key, rule: "tag key \(broken)", example: "team: data"))
            } else if let broken = valueRule(minimum: 0)(value) {
                problems.append(IssueProblem(field: "tags.\(key)", value: value, rule: "tag value \(broken)", example: "\(key): data"))
            } else if tags[key] != nil, tags[key] != value {
                problems.append(
                    IssueProblem(
                        field: "tags.\(key)",
                        value: value,
                        rule: "is given twice with different values",
                        example: "\(key): \(tags[key] ?? "")"
                    )
                )
            } else {
                tags[key] = value
            }
        }
        if tags.count > maximumCount {
            problems.append(
                IssueProblem(field: "tags", value: "\(tags.count) tags", rule: "must be at most \(maximumCount) tags", example: "team: data")
            )
        }
        return (tags, problems)
    }
}
