/// A Lambda function. Rules: docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
public enum LambdaFunction {
    /// Runtimes Lambda accepts for new functions (checked 2026-11).
    static let runtimes = [
        "nodejs24.x", "nodejs22.x", "nodejs20.x",
        "python3.14", "python3.13", "python3.12", "python3.11", "python3.10",
        "java25", "java21", "java17", "java11", "java8.al2",
        "dotnet10", "dotnet8",
        "ruby3.4", "ruby3.3",
        "provided.al2023", "provided.al2",
    ]
    /// Runtimes Lambda no longer accepts, with the one to move to.
    static let retiredRuntimes = [
        "nodejs18.x": "nodejs22.x", "nodejs16.x": "nodejs22.x", "nodejs14.x": "nodejs22.x", "nodejs12.x": "nodejs22.x",
        "python3.9": "python3.13", "python3.8": "python3.13", "python3.7": "python3.13",
        "java8": "java21", "dotnet6": "dotnet8", "dotnet7": "dotnet8", "dotnetcore3.1": "dotnet8",
        "ruby3.2": "ruby3.4", "ruby2.7": "ruby3.4", "go1.x": "provided.al2023", "provided": "provided.al2023",
    ]

    static let runtimeField = ParameterField.text(
        "runtime",
        "one of \(runtimes.joined(separator: ", "))",
        example: "python3.13",
        requiredFor: [.create],
        rule: { runtime in
            if runtimes.contains(runtime) { return nil }
            if let successor = retiredRuntimes[runtime.lowercased()] {
                return "is retired by AWS Lambda; use \(successor)"
            }
            var rule = "is not a Lambda runtime; use one of \(runtimes.joined(separator: ", "))"
            if let near = EditDistance.nearest(to: runtime, in: runtimes, within: 2) { rule += " (did you mean \(near)?)" }
            return rule
        }
    )

    static let memorySizeField = ParameterField.integer(
        "memorySize",
        128...10_240,
        "memory in MB, 128–10,240",
        unit: "MB",
        example: 512
    )

    public static let schema = ResourceSchema(
        identifier: "functionName",
        fields: [
            .text(
                "functionName",
                "1–64 characters: letters, digits, hyphens and underscores",
                example: "resize-images",
                requiredFor: [.create, .update, .delete],
                rule: functionNameRule
            ),
            runtimeField,
            .text(
                "handler",
                "the entry point, such as app.handler (up to 128 characters)",
                example: "app.handler",
                rule: { handler in
                    TextRules.length(handler, 1...128)
                        ?? TextRules.only(handler, { !$0.properties.isWhitespace }, described: "characters other than spaces")
                }
            ),
            memorySizeField,
            .integer("timeout", 1...900, "seconds, 1–900", unit: "s", example: 30),
            .choice(
                "architecture",
                ["x86_64", "arm64"],
                "the instruction set",
                aliases: ["amd64": "x86_64", "graviton": "arm64", "aarch64": "arm64"]
            ),
        ]
    )

    static func functionNameRule(_ name: String) -> String? {
        TextRules.length(name, 1...64)
            ?? TextRules.only(
                name,
                { TextRules.isAlnum($0) || $0 == "-" || $0 == "_" },
                described: "letters, digits, hyphens and underscores"
            )
    }
}
