/// A whole application (`fastapi-ecs`, `serverless-api`, `fullstack`): several
/// resources in one CloudFormation stack named after it.
public enum Application {
    public static let schema = ResourceSchema(
        identifier: "applicationName",
        fields: [
            .text(
                "applicationName",
                "2–40 lowercase letters, digits and hyphens, starting with a letter (it names the stack and its resources)",
                example: "orders",
                requiredFor: [.create, .update, .delete],
                rule: nameRule
            ),
            .text("domainName", "a host name to serve it on, such as orders.example.com", example: "orders.example.com", rule: TextRules.hostName),
            LambdaFunction.runtimeField.required(for: []).summarized(
                "the Python the code runs on: python3.12 (the default) or another python3 runtime of Lambda's"
            ),
            LambdaFunction.memorySizeField,
            .integer("desiredCount", 0...5_000, "how many containers to keep running (fastapi-ecs and fullstack)", example: 2),
            ParameterField(
                key: "entities",
                summary: "the data it keeps, one entity per line as `name: field, field:type` "
                    + "(types: string, number, integer, boolean); without it, one `items` entity",
                example: EntitySpec.example,
                kind: .text,
                requiredFor: []
            ) { text in
                EntitySpec.parse(text).map { .string($0.text) }
            },
            .text(
                "behaviour",
                "what the application should do beyond keeping its entities, in a few sentences; a model writes that code "
                    + "(it needs agent_models: deployment=…), and the step succeeds only when the application's tests pass",
                example: "add an endpoint that lists orders by customer",
                rule: { TextRules.length($0, 10...4_000) }
            ),
        ],
        crossChecks: { values, _ in
            var problems: [IssueProblem] = []
            if let runtime = values["runtime"]?.stringValue, !runtime.hasPrefix("python3.") {
                problems.append(
                    IssueProblem(
                        field: "runtime",
                        value: runtime,
                        rule: "is not Python; Gaffer's application blueprints are written in Python 3",
                        example: "python3.12"
                    )
                )
            }
            // Each entity gets a function named <application>-<entity>, and Lambda allows 64 characters.
            if let name = values["applicationName"]?.stringValue, let text = values["entities"]?.stringValue,
                case .success(let spec) = EntitySpec.parse(text),
                let long = spec.entities.first(where: { name.count + 1 + $0.name.count > 64 })
            {
                problems.append(
                    IssueProblem(
                        field: "entities",
                        value: long.name,
                        rule: "makes the name \(name)-\(long.name), longer than the 64 characters Lambda allows; "
                            + "shorten the application or the entity name",
                        example: EntitySpec.example
                    )
                )
            }
            return problems
        }
    )

    static func nameRule(_ name: String) -> String? {
        if let broken = TextRules.length(name, 2...40)
            ?? TextRules.only(name, { TextRules.isLowerAlnum($0) || $0 == "-" }, described: "lowercase letters, digits and hyphens")
        {
            return broken
        }
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return "must start with a lowercase letter" }
        if name.hasSuffix("-") || name.contains("--") { return "must not end with a hyphen or have two in a row" }
        return nil
    }
}
