/// An ECS service. Rules: docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
public enum ECSService {
    /// Fargate's allowed task memory (MiB) for each CPU size (units).
    static let fargateMemory: [Int: StrideThrough<Int>] = [
        256: stride(from: 512, through: 2_048, by: 512),
        512: stride(from: 1_024, through: 4_096, by: 1_024),
        1_024: stride(from: 2_048, through: 8_192, by: 1_024),
        2_048: stride(from: 4_096, through: 16_384, by: 1_024),
        4_096: stride(from: 8_192, through: 30_720, by: 1_024),
        8_192: stride(from: 16_384, through: 61_440, by: 4_096),
        16_384: stride(from: 32_768, through: 122_880, by: 8_192),
    ]

    public static let schema = ResourceSchema(
        identifier: "serviceName",
        fields: [
            .text(
                "serviceName",
                "1–255 letters, digits, hyphens and underscores",
                example: "orders",
                requiredFor: [.create, .update, .delete],
                rule: nameRule
            ),
            .text("clusterName", "1–255 letters, digits, hyphens and underscores", example: "production", rule: nameRule),
            .text(
                "containerImage",
                "the image to run, such as public.ecr.aws/nginx/nginx:1.27",
                example: "public.ecr.aws/nginx/nginx:1.27",
                requiredFor: [.create],
                rule: { image in
                    TextRules.length(image, 1...255)
                        ?? TextRules.only(image, { $0.isASCII && $0.value > 0x20 && $0.value < 0x7f }, described: "printable ASCII without spaces")
                }
            ),
            .integer("containerPort", 1...65_535, "the port the container listens on", example: 8080),
            .integer("desiredCount", 0...5_000, "how many tasks to keep running", example: 2),
            .choice("launchType", ["FARGATE", "EC2", "EXTERNAL"], "where the tasks run"),
            .integer("cpu", 256...16_384, "CPU units per task: 256, 512, 1024, 2048, 4096, 8192 or 16384", example: 256),
            .integer("memory", 512...122_880, "memory per task in MiB, allowed by the CPU size", unit: "MiB", example: 512),
        ],
        crossChecks: { values, _ in
            guard values["launchType"]?.stringValue ?? "FARGATE" == "FARGATE" else { return [] }
            guard let cpu = values["cpu"]?.integerValue else { return [] }
            guard let memories = fargateMemory[cpu] else {
                return [
                    IssueProblem(
                        field: "cpu",
                        value: String(cpu),
                        rule: "must be 256, 512, 1024, 2048, 4096, 8192 or 16384 on Fargate",
                        example: "512"
                    )
                ]
            }
            guard let memory = values["memory"]?.integerValue, !memories.contains(memory) else { return [] }
            let allowed = Array(memories)
            return [
                IssueProblem(
                    field: "memory",
                    value: String(memory),
                    rule:
                        "is not allowed with \(cpu) CPU units on Fargate; use \(allowed.first ?? 0) to \(allowed.last ?? 0) in steps of \(allowed.count > 1 ? allowed[1] - allowed[0] : 0)",
                    example: String(allowed.first ?? 512)
                )
            ]
        }
    )

    static func nameRule(_ name: String) -> String? {
        TextRules.length(name, 1...255)
            ?? TextRules.only(name, { TextRules.isAlnum($0) || $0 == "-" || $0 == "_" }, described: "letters, digits, hyphens and underscores")
    }
}
