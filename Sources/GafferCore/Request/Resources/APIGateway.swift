/// An API Gateway API (HTTP, REST or WebSocket).
public enum APIGateway {
    public static let schema = ResourceSchema(
        identifier: "apiName",
        fields: [
            .text(
                "apiName",
                "1–128 characters",
                example: "orders-api",
                requiredFor: [.create, .update, .delete],
                rule: { name in
                    TextRules.length(name, 1...128) ?? Tags.valueRule(minimum: 1)(name)
                }
            ),
            .choice("protocolType", ["HTTP", "REST", "WEBSOCKET"], "the kind of API"),
            .text(
                "stageName",
                "1–128 letters, digits, hyphens and underscores",
                example: "prod",
                rule: { stage in
                    TextRules.length(stage, 1...128)
                        ?? TextRules.only(
                            stage,
                            { TextRules.isAlnum($0) || $0 == "-" || $0 == "_" },
                            described: "letters, digits, hyphens and underscores"
                        )
                }
            ),
        ]
    )
}
